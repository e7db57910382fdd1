/*
 * PAS unit page: ask the JSON endpoint in data-queue-poll every POLL_SECONDS for the
 * queue's fingerprint, and reload the page when it differs from the one the page was
 * rendered with (someone checked in, a colleague called a walk-in). The page itself is
 * rendered by the server, so a reload shows exactly what the server decided.
 *
 * The page also reloads after RELOAD_MINUTES, so that its buttons never carry a CSRF
 * token older than Flask-WTF's default limit of an hour.
 */
(function () {
  'use strict';

  var POLL_SECONDS = 10;
  var RELOAD_MINUTES = 20;

  document.addEventListener('DOMContentLoaded', function () {
    var marker = document.querySelector('[data-queue-poll]');
    if (!marker) {
      return;
    }
    var url = marker.getAttribute('data-queue-poll');
    var signature = marker.getAttribute('data-queue-signature');
    var loadedAt = Date.now();

    window.setInterval(function () {
      fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error('queue update failed with HTTP ' + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          var stale = Date.now() - loadedAt > RELOAD_MINUTES * 60 * 1000;
          if (data.signature !== signature || stale) {
            window.location.reload();
          }
        })
        .catch(function (error) {
          console.warn(error);
        });
    }, POLL_SECONDS * 1000);
  });
})();
