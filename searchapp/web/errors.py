"""Errors: JSON under /api, an HTML page elsewhere, each with a sentence for the user."""
from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from searchapp.search import QueryError, SearchTimeout
from searchapp.store import IndexMissing, ShardUnavailable


def register(app: Flask) -> None:
    app.register_error_handler(QueryError, _query_error)
    app.register_error_handler(SearchTimeout, _search_timeout)
    app.register_error_handler(IndexMissing, _index_missing)
    app.register_error_handler(ShardUnavailable, _shard_unavailable)
    app.register_error_handler(HTTPException, http_error)  # 404, 405, and 500 for any crash


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def json_error(status: int, message: str):
    return jsonify({"error": {"message": message, "status": status}}), status


def error_response(status: int, message: str, title: str | None = None):
    if is_api_request():
        return json_error(status, message)
    return render_template(
        "error.html", status=status, title=title or _TITLES.get(status, "Error"), message=message,
        query=request.args.get("q", "") if request.endpoint in ("pages.search", "pages.home") else "",
        help_open=status == 400,
    ), status


_TITLES = {
    400: "We could not read that search",
    404: "Not found",
    405: "Method not allowed",
    503: "The search index is not available",
    500: "Something went wrong",
}


def _query_error(e: QueryError):
    return error_response(400, str(e))


def _search_timeout(e: SearchTimeout):
    current_app.logger.warning("search timeout: %s (%s)", request.full_path[:300], e)
    response = current_app.make_response(error_response(503, str(e), "The search took too long"))
    response.headers["Retry-After"] = str(current_app.config["RETRY_AFTER"])
    return response


def _index_missing(e: IndexMissing):
    current_app.logger.warning("index missing: %s", e)
    return error_response(503, "No search index has been built yet. Build one with "
                               "`searchapp index build PATH... --index DIR`: the site works as soon "
                               "as it is done, without a restart.")


def _shard_unavailable(e: ShardUnavailable):
    current_app.logger.error("%s", e)
    response = current_app.make_response(error_response(503, "Part of the search index cannot be reached just "
                                                             "now; please try again shortly."))
    response.headers["Retry-After"] = str(current_app.config["RETRY_AFTER"])
    return response


_MESSAGES = {
    404: "There is nothing at this address.",
    500: "The server hit an unexpected error; it has been logged.",
}


def http_error(e: HTTPException):
    status = e.code or 500
    if status == 405:
        message = f"The method {request.method} is not allowed here."
    elif e.description and e.description != type(e).description:
        message = e.description  # a view's own words: abort(404, description="No article ...")
    else:
        message = _MESSAGES.get(status, e.description or e.name)
    response = current_app.make_response(error_response(status, message))
    for name, value in e.get_headers():
        if name.lower() != "content-type":  # e.g. Allow on a 405
            response.headers[name] = value
    return response
