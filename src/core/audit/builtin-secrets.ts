import type { Candidate } from './candidates';

/**
 * Secrets that ship in framework defaults, project templates, tutorials and
 * documentation examples, and the placeholders people type when told to
 * "set a secret key". Written for this project from what those sources are
 * known to use; tried before any wordlist. Order matters a little: the most
 * common come first, so a hit is reported after the fewest tries.
 */
const PLACEHOLDERS = [
  // The Flask tutorial, the Flask docs, and the most copied answers about SECRET_KEY.
  'dev', 'development key', 'secret', 'secret key', 'secret_key', 'secret-key', 'secretkey', 'SECRET_KEY', 'super secret key',
  'supersecretkey', 'super-secret-key', 'super_secret_key', 'supersecret', 'super-secret', 'super_secret', 'super secret',
  'A0Zr98j/3yX R~XHH!jmN]LWX/,?RT', 'your_secret_key', 'your-secret-key', 'yoursecretkey', 'your secret key', 'your_secret_key_here',
  'your-secret-key-here', 'your secret key here', 'my_secret_key', 'my-secret-key', 'mysecretkey', 'my secret key', 'mysecret',
  'my_secret', 'my-secret', 'you-will-never-guess', 'you-will-never-guess-this', 'hard to guess string', 'hard-to-guess-string',
  'a hard to guess string', 'this-is-a-secret', 'this is a secret', 'thisisasecret', 'thisisasecretkey', 'this is my secret key',
  'keep it secret', 'keep-it-secret', 'keepitsecret', 'keep it secret, keep it safe', 'super secret string', 'secret string',
  'a random string', 'random string', 'random', 'randomstring', 'random_string', 'random-string', 'some secret', 'somesecret',
  'some_secret', 'some-secret', 'some secret key', 'some_secret_key', 'some-secret-key', 'somesecretkey', 'top secret', 'topsecret',
  'top-secret', 'top_secret', 'very secret', 'verysecret', 'very-secret', 'very_secret', 'very secret key', 'not-so-secret',
  'not so secret', 'notsosecret', 'not_so_secret', 'not-a-secret', 'notasecret', 'not a secret', 'insecure', 'insecure-key',
  'insecure_key', 'insecure-secret-key', 'unsafe', 'unsafe-secret-key', 'default', 'default_secret', 'default-secret',
  'default_secret_key', 'default-secret-key', 'defaultsecret', 'defaultkey', 'default key', 'flask', 'flask secret key',
  'flask-secret-key', 'flask_secret_key', 'flasksecret', 'flask-secret', 'flask_secret', 'flaskr', 'flask-app', 'flask_app',
  'flaskapp', 'app', 'app secret', 'app_secret', 'app-secret', 'appsecret', 'app_secret_key', 'app-secret-key', 'appsecretkey',
  'application secret', 'session', 'session_secret', 'session-secret', 'sessionsecret', 'session secret', 'session_key',
  'session-key', 'cookie-secret', 'cookie_secret', 'cookiesecret', 'cookie secret', 'signing-key', 'signing_key',
  // "Change me" and "fill in" placeholders from templates and .env examples.
  'changeme', 'change-me', 'change_me', 'change me', 'CHANGEME', 'CHANGE_ME', 'CHANGE-ME', 'ChangeMe', 'changethis', 'change-this',
  'change_this', 'change this', 'changeit', 'change-it', 'change_it', 'change me please', 'please-change-me', 'please change me',
  'pleasechangeme', 'change-me-in-production', 'change_me_in_production', 'changeme-in-production', 'change this in production',
  'change-this-in-production', 'change-this-secret', 'change-this-secret-key', 'change_this_secret_key', 'CHANGE_THIS',
  'CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET', 'replace-me', 'replace_me', 'replaceme', 'replace me', 'REPLACE_ME', 'replace-with-secret',
  'replace_with_your_secret_key', 'replace-this', 'todo', 'TODO', 'fixme', 'FIXME', 'xxx', 'XXX', 'xxxx', 'xxxxxxxx',
  'xxxxxxxxxxxxxxxx', 'placeholder', 'PLACEHOLDER', 'example', 'example-secret', 'example_secret', 'example-secret-key', 'sample',
  'sample-secret', 'sample_secret_key', 'your-secret', 'your_secret', 'yoursecret', 'YOUR_SECRET_KEY', 'YOUR-SECRET-KEY',
  'YOUR_SECRET', '<your secret key>', '<secret>', '<secret_key>', '{{secret_key}}', '${SECRET_KEY}', '$SECRET_KEY', 'SECRET', 'Secret',
  'SecretKey', 'Secret Key', 'SECRETKEY', 'SECRET-KEY', 'secret_key_here', 'secret-key-here', 'secretkeyhere', 'enter-a-secret-key',
  'put-your-secret-here', 'generate-a-secret-key', 'set-a-secret-key', 'set_me', 'setme', 'set-me', 'override-me', 'override_me',
  'none', 'None', 'null', 'undefined', 'empty', 'blank', 'key', 'KEY', 'mykey', 'my_key', 'my-key', 'my key', 'thekey', 'the key',
  // Leetspeak and keyboard-walk favourites.
  's3cr3t', 's3cret', 'secr3t', 's3cr3t_k3y', 's3cr3tk3y', 'S3cr3t', 'sup3rs3cr3t', 'p@ssw0rd', 'P@ssw0rd', 'passw0rd', 'password',
  'Password', 'PASSWORD', 'password1', 'password123', 'pass', 'pass123', 'passwd', 'admin', 'admin123', 'administrator', 'root',
  'toor', 'test', 'testing', 'test123', 'testkey', 'test-key', 'test_key', 'test-secret', 'test_secret', 'testsecret',
  'test secret key', 'qwerty', 'qwertyuiop', 'asdf', 'asdfgh', 'asdfghjkl', 'zxcvbnm', '123', '1234', '12345', '123456',
  '1234567', '12345678', '123456789', '1234567890', '0123456789', '111111', '000000', 'abc', 'abc123', 'abcd', 'abcdef',
  'abcdefg', 'abcdefgh', 'abcdefghijklmnopqrstuvwxyz', 'letmein', 'welcome', 'hello', 'helloworld', 'hello world', 'hello-world',
  'foo', 'bar', 'baz', 'foobar', 'foo bar', 'foo-bar', 'spam', 'eggs', 'spam and eggs', 'asd', 'aaa', 'aaaa', 'a', 'x', 'k', 's',
  'keyboard cat', 'shhh', 'shhhh', 'shh', 'sshh', 'hush', 'hunter2', 'ilovepython', 'python', 'python3', 'django', 'django-insecure',
  // Development and environment names used as keys.
  'development', 'dev-key', 'dev_key', 'devkey', 'dev key', 'dev-secret', 'dev_secret', 'devsecret', 'dev-secret-key',
  'dev_secret_key', 'development-key', 'development_key', 'development secret key', 'local', 'localhost', 'local-dev', 'debug',
  'debug-key', 'staging', 'production', 'prod', 'production-key', 'prod-secret', 'testing-key', 'test-env', 'docker', 'docker-secret',
  'heroku', 'demo', 'demo-secret', 'demo_secret_key', 'demo key', 'tutorial', 'tutorial-secret', 'learning', 'playground',
  // Extensions and apps built on Flask whose sample configs set a fixed key.
  'super-secret-string', 'This is an INSECURE secret!! DO NOT use this in production!!', 'thisISaSECRET_1234',
  '\u0002\u0001thisismyscretkey\u0001\u0002\\e\\y\\y\\h', 'temporary_key', 'temporary-key', 'temp', 'tmp', 'secret123', 'secret1234',
  'secret12345', 'Secret123', 'secretpassword', 'secret-password', 'secret_password', 'secretsecret', 'secret-secret', 'secrets',
  'mysecretpassword', 'my-secret-password', 'mysupersecretkey', 'my-super-secret-key', 'my_super_secret_key', 'my super secret key',
  'mysupersecret', 'my-super-secret', 'verysecretkey', 'very-secret-key', 'very_secret_key', 'extremely-secret', 'ultrasecret',
  'ultra-secret', 'megasecret', 'mega-secret', 'the-secret', 'the_secret', 'thesecret', 'the secret', 'the secret key',
  'jwt-secret', 'jwt_secret', 'jwtsecret', 'jwt-secret-key', 'jwt_secret_key', 'JWT_SECRET_KEY', 'token-secret', 'csrf-secret',
  'csrf_secret', 'wtf-secret', 'WTF_CSRF_SECRET_KEY', 'login-secret', 'auth-secret', 'auth_secret', 'security', 'security-key',
  'salt', 'cookie-session', 'flask-session', 'itsdangerous', 'werkzeug', 'jinja', 'pallets', 'blueprint', 'api', 'api-key', 'api_key',
  'apikey', 'API_KEY', 'apisecret', 'api-secret', 'api_secret', 'backend', 'server', 'website', 'webapp', 'web-app', 'myapp',
  'my_app', 'my-app', 'myproject', 'my_project', 'project', 'blog', 'microblog', 'todoapp', 'todo-app', 'chat', 'chatapp', 'shop',
  'store', 'cats', 'dogs', 'pizza', 'banana', 'apple', 'monkey', 'dragon', 'ninja', 'batman', 'superman', 'starwars', 'pokemon',
  'opensesame', 'open sesame', 'open-sesame', 'abracadabra', 'magic', 'mellon', 'speak friend and enter', 'correct horse battery staple',
  'correcthorsebatterystaple', 'iloveyou', 'sunshine', 'princess', 'football', 'trustno1', 'whatever', 'nothing', 'something',
  'anything', 'secret!', 'secret!!', 'secret?', '!secret', 'Secret!', 'secret1', 'secret2', 'secret0', 'key1', 'key123', 'mykey123',
] as const;

/** Byte strings: the Flask quickstart's example key (`b'_5#y2L"F4Q8z\n\xec]/'`), a bytes literal with a non-UTF-8 byte. */
const BYTE_SECRETS: readonly Uint8Array[] = [Uint8Array.of(0x5f, 0x35, 0x23, 0x79, 0x32, 0x4c, 0x22, 0x46, 0x34, 0x51, 0x38, 0x7a, 0x0a, 0xec, 0x5d, 0x2f)];

export const BUILT_IN_SECRETS: readonly Candidate[] = [...new Set<string>(PLACEHOLDERS), ...BYTE_SECRETS];
