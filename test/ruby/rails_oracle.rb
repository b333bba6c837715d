# Rails' own cookie jar (Debian's ActionPack 6.1) as an oracle for the tests: reads a JSON array of
# requests on stdin, answers a JSON array. The environment is what Rails::Application#env_config
# sets; `version` picks the key generator's digest as load_defaults does (SHA-1 for 6.1, SHA-256
# for 7.0 and later: Rails 7's generator, reproduced below, as 6.1's has no digest option) and
# `legacy` the AES-256-CBC encryption of apps without authenticated encryption. Requests:
#   {"op":"versions"}
#   {"op":"write","jar":"encrypted"|"signed","name","value_json","skb","version","legacy","expires":UNIX|null}
#       -> {"set_cookie": "..."}        the Set-Cookie the cookie jar writes
#   {"op":"read","jar":...,"name","cookie","skb","version","legacy"}
#       -> {"value_json": "..."|null}  what the app reads now (null: Rails treats the cookie as absent)
require 'json'
require 'action_dispatch'
require 'rack/mock'
require_relative 'rails_env'

def jar_of(env, kind)
  jar = ActionDispatch::Request.new(env).cookie_jar
  kind == 'signed' ? jar.signed : jar.encrypted
end

def answer(req)
  case req['op']
  when 'versions'
    { 'actionpack' => ActionPack::VERSION::STRING, 'ruby' => RUBY_VERSION }
  when 'write'
    value = JSON.parse(req['value_json'])
    app = lambda do |env|
      options = { value: value }
      options[:expires] = Time.at(req['expires']) if req['expires']
      jar_of(env, req['jar'])[req['name']] = options
      [200, {}, ['ok']]
    end
    response = Rack::MockRequest.new(ActionDispatch::Cookies.new(app)).get('/', env_for(req))
    { 'set_cookie' => Array(response.headers['Set-Cookie']).join("\n").split("\n").find { |line| line.start_with?("#{req['name']}=") } }
  when 'read'
    seen = nil
    app = lambda do |env|
      seen = jar_of(env, req['jar'])[req['name']]
      [200, {}, ['ok']]
    end
    env = env_for(req).merge('HTTP_COOKIE' => "#{req['name']}=#{req['cookie']}")
    Rack::MockRequest.new(ActionDispatch::Cookies.new(app)).get('/', env)
    { 'value_json' => seen.nil? ? nil : JSON.generate(seen) }
  else
    { 'error' => "unknown op #{req['op']}" }
  end
rescue StandardError => e
  { 'error' => "#{e.class}: #{e.message}" }
end

puts JSON.generate(JSON.parse($stdin.read).map { |req| answer(req) })
