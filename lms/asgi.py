"""The ASGI entry points: ``app`` for uvicorn (``uvicorn lms.asgi:app``, which reads
``X-Forwarded-*`` itself with ``proxy_headers``), ``proxied_app`` for Granian (``lms serve
--server granian``):
the same app behind uvicorn's proxy-headers middleware, trusting 127.0.0.1 (nginx)."""

from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from lms.app import create_app

app = create_app()
# uvicorn's middleware is typed with its own ASGI types, Litestar's app with Litestar's.
proxied_app = ProxyHeadersMiddleware(app, trusted_hosts="127.0.0.1")  # type: ignore[arg-type]
