/*
 * The print button of the KPI reports. The Content-Security-Policy forbids inline
 * scripts, so the button is found by its data-kpi-print attribute.
 */
(function () {
  'use strict';

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-kpi-print]').forEach(function (button) {
      button.addEventListener('click', function () {
        window.print();
      });
    });
  });
})();
