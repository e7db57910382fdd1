/*
 * Check-in page, at the desk and on the self check-in tablet.
 *
 * Keeps the focus in the code field, so that a USB QR scanner, which types the code
 * and Enter, always writes into it, also after a result was shown or someone clicked
 * elsewhere on the page.
 *
 * Reloads the page after RELOAD_MINUTES without typing, because the form's CSRF token
 * expires after an hour (Flask-WTF's default WTF_CSRF_TIME_LIMIT), and a scan into a
 * page left open longer would be rejected.
 */
(function () {
  'use strict';

  var RELOAD_MINUTES = 20;

  function codeField() {
    return document.querySelector('.checkin-code');
  }

  function focusCodeField() {
    var field = codeField();
    if (field && document.activeElement !== field) {
      field.focus();
    }
  }

  function reloadWhenIdle() {
    var field = codeField();
    var timer = null;

    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        if (!field || field.value === '') {
          window.location.replace(window.location.pathname);
        } else {
          schedule();
        }
      }, RELOAD_MINUTES * 60 * 1000);
    }

    if (field) {
      field.addEventListener('input', schedule);
    }
    schedule();
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
    reloadWhenIdle();
  });
})();
