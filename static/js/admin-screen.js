/*
 * Info screen: fetch the latest calls every POLL_SECONDS and rebuild the list. The
 * newest call is marked so that the stylesheet shows it largest. When a fetch fails
 * (network or server), the last list stays on the screen and the next poll tries again.
 */
(function () {
  'use strict';

  var POLL_SECONDS = 5;

  function span(className, text) {
    var element = document.createElement('span');
    element.className = className;
    element.textContent = text;
    return element;
  }

  function render(list, calls) {
    list.replaceChildren();
    if (calls.length === 0) {
      var empty = document.createElement('li');
      empty.className = 'info-screen-empty';
      empty.textContent = list.getAttribute('data-empty-text');
      list.appendChild(empty);
      return;
    }
    calls.forEach(function (call, index) {
      var item = document.createElement('li');
      item.className = 'info-screen-call' + (index === 0 ? ' info-screen-call-latest' : '');
      item.appendChild(span('info-screen-code', call.label));
      item.appendChild(span('info-screen-unit', call.counter ? call.unit + ' · ' + call.counter : call.unit));
      item.appendChild(span('info-screen-time', call.time));
      list.appendChild(item);
    });
  }

  function start() {
    var list = document.querySelector('[data-screen-calls]');
    if (!list) {
      return;
    }
    var url = list.getAttribute('data-screen-calls');
    var lastPayload = null;

    function refresh() {
      fetch(url, { headers: { Accept: 'application/json' } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error('info screen update failed with HTTP ' + response.status);
          }
          return response.text();
        })
        .then(function (payload) {
          // Rebuild only on a change, so that screen readers announce new calls only.
          if (payload !== lastPayload) {
            lastPayload = payload;
            render(list, JSON.parse(payload).calls);
          }
        })
        .catch(function (error) {
          console.warn(error);
        });
    }

    window.setInterval(refresh, POLL_SECONDS * 1000);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
