// The check-in screen: fetch the page again every so often and swap in the new QR code and
// link (the token rotates), without reloading the page. Without JavaScript the code shown still
// works for a few minutes; reloading the page shows a fresh one.
(function () {
  var box = document.querySelector("[data-checkin-refresh]");
  if (!box || !window.fetch || !window.DOMParser) { return; }
  var seconds = parseInt(box.getAttribute("data-checkin-refresh"), 10) || 60;
  window.setInterval(function () {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html")
          .querySelector("[data-checkin-refresh]");
        if (fresh) { box.innerHTML = fresh.innerHTML; }
      })
      .catch(function () {});
  }, seconds * 1000);
})();
