# A Rack app on Rails' own cookie jar and CookieStore session (Debian's ActionPack 6.1), served by
# WEBrick on a free 127.0.0.1 port, for the end-to-end tests. Its session cookie is
# `_demo_session`, encrypted (AES-256-GCM) with keys from SESSION_LENS_RAILS_SECRET_KEY_BASE, the key
# digest of SESSION_LENS_RAILS_VERSION's load_defaults. Prints {"ready":true,"port":N,...} once it
# listens; exits when stdin closes.
#
#   GET /login?user=NAME   session[:user] = NAME, session[:cart] = []
#   GET /cart?add=ITEM     add ITEM to the cart
#   GET /whoami            read the session (Rails re-sends the cookie all the same)
#   GET /logout            reset_session: a new, empty session (Rails sends no deletion)
require 'json'
require 'webrick'
require 'rack'
require 'rack/handler/webrick'
require_relative 'rails_env'

settings = { 'skb' => ENV.fetch('SESSION_LENS_RAILS_SECRET_KEY_BASE'), 'version' => ENV.fetch('SESSION_LENS_RAILS_VERSION', '7.1'), 'legacy' => false }
rails_env = env_for(settings)

def page(title, body)
  text = JSON.generate(body).gsub(/[<>&]/) { |c| "&##{c.ord};" }
  [200, { 'Content-Type' => 'text/html; charset=utf-8', 'Cache-Control' => 'no-store' },
   ["<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>#{title}</title></head><body><pre>#{text}</pre></body></html>"]]
end

routes = lambda do |env|
  request = ActionDispatch::Request.new(env)
  session = request.session
  view = -> { { 'user' => session[:user], 'cart' => session[:cart] || [] } }
  case request.path
  when '/login'
    session[:user] = request.params['user'] || 'ada'
    session[:cart] = []
    page('logged in', view.call)
  when '/cart'
    session[:cart] = (session[:cart] || []) + [request.params['add'] || 'apple']
    page('cart', view.call)
  when '/whoami' then page('whoami', view.call)
  when '/logout'
    request.reset_session
    page('logged out', nil)
  else page('rails demo', { 'routes' => %w[/login /cart /whoami /logout] })
  end
end

with_config = ->(inner) { ->(env) { inner.call(env.merge(rails_env)) } }
app = with_config.call(ActionDispatch::Cookies.new(ActionDispatch::Session::CookieStore.new(routes, key: '_demo_session', httponly: true, same_site: :lax)))

Thread.new do
  $stdin.read
  exit!(0)
end
Rack::Handler::WEBrick.run(app, Host: '127.0.0.1', Port: 0, Logger: WEBrick::Log.new(File::NULL), AccessLog: []) do |server|
  port = server.listeners.first.addr[1]
  puts JSON.generate({ 'ready' => true, 'port' => port, 'actionpack' => ActionPack::VERSION::STRING })
  $stdout.flush
end
