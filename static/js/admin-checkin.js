/*
 * Check-in page: keep the focus in the code field, so that a USB QR scanner, which
 * types the code and Enter, always writes into it, also after a result was shown or
 * the staff member clicked elsewhere on the page.
 */
(function () {
  'use strict';

  function focusCodeField() {
    var field = document.querySelector('.checkin-code');
    if (field && document.activeElement !== field) {
      field.focus();
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    // app.js runs DKFDS.init() in an earlier DOMContentLoaded listener; focusing after
    // it keeps the field focused even if a component moved the focus.
    focusCodeField();
    window.addEventListener('focus', focusCodeField);
    // A click on plain text (not a link, button or field) returns the focus to the field.
    document.addEventListener('click', function (event) {
      if (!event.target.closest('a, button, input, select, textarea, label')) {
        focusCodeField();
      }
    });
  });
})();
