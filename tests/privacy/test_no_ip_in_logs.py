"""The development server's request log carries no client address."""
import logging
import threading
from urllib.request import urlopen

from werkzeug.serving import make_server


def test_development_server_log_lines_carry_no_client_address(app, caplog):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            urlopen(f"http://127.0.0.1:{server.port}/healthz").read()
    finally:
        server.shutdown()
        thread.join(5)
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any('"GET /healthz HTTP/1.1" 200' in line for line in lines), lines
    assert not any("127.0.0.1" in line for line in lines), lines
