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
require 'active_support/key_generator'
require 'active_support/messages/rotation_configuration'
require 'rack/mock'

# ActionPack 6.1's KeyGenerator knows PBKDF2-HMAC-SHA1 only; Rails 7.0's takes a hash_digest_class
# (SHA256 under load_defaults 7.0) and is this, in its own words: pbkdf2_hmac with that digest.
class Sha256KeyGenerator
  def initialize(secret)
    @secret = secret
  end

  def generate_key(salt, key_size = 64)
    OpenSSL::PKCS5.pbkdf2_hmac(@secret, salt, 1000, key_size, OpenSSL::Digest::SHA256.new)
  end
end

def env_for(req)
  generator = req['version'] == '6.1' ? ActiveSupport::KeyGenerator.new(req['skb'], iterations: 1000) : Sha256KeyGenerator.new(req['skb'])
  {
    'action_dispatch.key_generator' => ActiveSupport::CachingKeyGenerator.new(generator),
    'action_dispatch.secret_key_base' => req['skb'],
    'action_dispatch.signed_cookie_salt' => 'signed cookie',
    'action_dispatch.encrypted_cookie_salt' => 'encrypted cookie',
    'action_dispatch.encrypted_signed_cookie_salt' => 'signed encrypted cookie',
    'action_dispatch.authenticated_encrypted_cookie_salt' => 'authenticated encrypted cookie',
    'action_dispatch.use_authenticated_cookie_encryption' => !req['legacy'],
    'action_dispatch.encrypted_cookie_cipher' => req['legacy'] ? nil : 'aes-256-gcm',
    'action_dispatch.cookies_serializer' => :json,
    'action_dispatch.use_cookies_with_metadata' => true,
    'action_dispatch.cookies_rotations' => ActiveSupport::Messages::RotationConfiguration.new
  }
end

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
