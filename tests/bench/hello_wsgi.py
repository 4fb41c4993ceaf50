# Hello-world WSGI app for the Gunicorn baselines in serve_bench.sh (same body as runtime/examples/hello).
def app(environ, start_response):
    body = b"Hello, world!\n"
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"),
                              ("Content-Length", str(len(body)))])
    return [body]
