/*
 * Self check-in tablet: clear the result after RESET_SECONDS, so that the next citizen
 * does not see the previous citizen's first name. The page is loaded again without
 * the result, which the server shows only once.
 */
(function () {
  'use strict';

  var RESET_SECONDS = 20;

  document.addEventListener('DOMContentLoaded', function () {
    var result = document.querySelector('[data-kiosk-reset]');
    if (!result) {
      return;
    }
    window.setTimeout(function () {
      window.location.replace(result.getAttribute('data-kiosk-reset'));
    }, RESET_SECONDS * 1000);
  });
})();
