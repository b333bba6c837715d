"""A real Django app (Debian's python3-django) that keeps its session in the signed_cookies backend
(or, with SESSION_LENS_DJANGO_ENGINE=db, in the database backend on a private SQLite file), for the
end-to-end tests. One file: settings, views and a WSGI server on 127.0.0.1 and a free port.
Prints one JSON line {"ready": true, "port": N, "django": "x.y.z"} once it listens; exits when its
standard input closes (so a test that dies takes the server with it).

  GET /              a page; does not touch the session
  GET /login/        session["user_id"] = 42, session["username"] = "alice"
  GET /cart/         appends "A1" to session["cart"]
  GET /whoami/       reads the session (Vary: Cookie, no Set-Cookie)
  GET /logout/       session.flush(): the cookie is deleted

Environment: SESSION_LENS_DJANGO_SECRET (SECRET_KEY), SESSION_LENS_DJANGO_ENGINE (signed_cookies or db).
"""
import json
import os
import shutil
import sys
import tempfile
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import django
from django.conf import settings

ENGINE = os.environ.get("SESSION_LENS_DJANGO_ENGINE", "signed_cookies")
DATABASE_DIR = tempfile.mkdtemp(prefix="session-lens-django-")
settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("SESSION_LENS_DJANGO_SECRET", "django-insecure-e2e"),
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    INSTALLED_APPS=["django.contrib.sessions"],
    MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware"],
    SESSION_ENGINE=f"django.contrib.sessions.backends.{ENGINE}",
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(DATABASE_DIR, "db.sqlite3")}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    USE_TZ=True,
)
django.setup()
if ENGINE == "db":
    from django.core.management import call_command  # noqa: E402

    call_command("migrate", "sessions", verbosity=0)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils.html import escape  # noqa: E402


def page(title, data):
    response = HttpResponse(f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title></head><body><pre>{escape(json.dumps(data))}</pre></body></html>")
    response["Cache-Control"] = "no-store"
    return response


def index(request):
    return page("django demo", {"routes": ["/login/", "/cart/", "/whoami/", "/logout/"]})


def login(request):
    request.session["user_id"] = 42
    request.session["username"] = "alice"
    return page("logged in", dict(request.session))


def cart(request):
    request.session["cart"] = request.session.get("cart", []) + ["A1"]
    return page("cart", dict(request.session))


def whoami(request):
    return page("whoami", dict(request.session))


def logout(request):
    request.session.flush()
    return page("logged out", {})


urlpatterns = [path("", index), path("login/", login), path("cart/", cart), path("whoami/", whoami), path("logout/", logout)]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=QuietHandler)
print(json.dumps({"ready": True, "port": server.server_port, "django": django.get_version(), "engine": ENGINE}), flush=True)
threading.Thread(target=lambda: (sys.stdin.read(), shutil.rmtree(DATABASE_DIR, ignore_errors=True), os._exit(0)), daemon=True).start()
server.serve_forever()
