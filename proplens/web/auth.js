/* proplens access token: when the server answers 401, ask for the token once, keep it in this
   browser (localStorage) and send it as `Authorization: Bearer ...` with every /api request.
   Loaded before app.js; it wraps window.fetch, so the rest of the page needs no change. */
(function () {
  "use strict";
  var KEY = "proplens-token";
  var plainFetch = window.fetch.bind(window);

  function isApi(url) {
    var u = new URL(url instanceof Request ? url.url : String(url), window.location.href);
    return u.origin === window.location.origin && u.pathname.indexOf("/api/") === 0;
  }

  function withToken(init, token) {
    var next = Object.assign({}, init || {});
    var headers = new Headers(next.headers || {});
    headers.set("Authorization", "Bearer " + token);
    next.headers = headers;
    return next;
  }

  window.fetch = async function (url, init) {
    if (!isApi(url)) return plainFetch(url, init);
    var token = window.localStorage.getItem(KEY);
    var response = await plainFetch(url, token ? withToken(init, token) : init);
    if (response.status !== 401) return response;
    var now = window.localStorage.getItem(KEY);
    if (now && now !== token) return plainFetch(url, withToken(init, now)); // asked meanwhile
    var asked = window.prompt(
      token
        ? "The access token was not accepted. Enter the token for this proplens server:"
        : "This proplens server needs an access token. Enter it (ask its operator):"
    );
    if (!asked) return response;
    window.localStorage.setItem(KEY, asked.trim());
    response = await plainFetch(url, withToken(init, asked.trim()));
    if (response.status === 401) window.localStorage.removeItem(KEY);
    return response;
  };
})();
