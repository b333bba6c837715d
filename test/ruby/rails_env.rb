# The request environment Rails::Application#env_config sets for the cookie jar, for an app on
# `version`'s load_defaults and `legacy` (AES-256-CBC) or authenticated (AES-256-GCM) encryption.
require 'action_dispatch'
require 'active_support/key_generator'
require 'active_support/messages/rotation_configuration'

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
  # req: {'skb' => secret_key_base, 'version' => '6.1' | '7.0' | '7.1', 'legacy' => bool}
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

