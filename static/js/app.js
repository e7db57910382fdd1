/*
 * Page behaviour shared by every Pastid page: Det Fælles Designsystem components,
 * the ALTCHA proof-of-work workers and countdowns.
 *
 * Loaded as a classic script at the end of <body>, after dkfds.min.js. The
 * Content-Security-Policy forbids inline scripts, so pages configure behaviour through
 * data attributes only.
 */
(function () {
  'use strict';

  // Resolve the worker files next to this script, so that the app also works when
  // it is served below a URL prefix: /static/js/app.js gives /static/vendor/altcha/workers/.
  var ALTCHA_WORKER_BASE = new URL('../vendor/altcha/workers/', document.currentScript.src);

  var ALTCHA_WORKER_ALGORITHMS = {
    pbkdf2: ['PBKDF2/SHA-256', 'PBKDF2/SHA-384', 'PBKDF2/SHA-512'],
    sha: ['SHA-256', 'SHA-384', 'SHA-512']
  };

  var COUNTDOWN_UNITS = {
    da: { minutes: 'min.', seconds: 'sek.' },
    en: { minutes: 'min', seconds: 'sec' }
  };

  /*
   * Register same-origin worker files for the ALTCHA widget. The CSP-friendly build
   * (dist/external) bundles no workers, and the policy allows no blob: workers.
   * The widget looks up the algorithm when it starts solving, which by default is when
   * the citizen ticks the box, so registering once the element is defined is early enough.
   * NOTE: a widget with auto="onload" may start before the workers are registered.
   */
  function registerAltchaWorkers() {
    if (!document.querySelector('altcha-widget')) {
      return;
    }
    customElements.whenDefined('altcha-widget').then(function () {
      Object.keys(ALTCHA_WORKER_ALGORITHMS).forEach(function (workerName) {
        var url = new URL(workerName + '.js', ALTCHA_WORKER_BASE).href;
        ALTCHA_WORKER_ALGORITHMS[workerName].forEach(function (algorithm) {
          globalThis.$altcha.algorithms.set(algorithm, function () {
            return new Worker(url);
          });
        });
      });
    });
  }

  function formatRemaining(totalSeconds, language) {
    var units = COUNTDOWN_UNITS[language] || COUNTDOWN_UNITS.da;
    var minutes = Math.floor(totalSeconds / 60);
    var seconds = totalSeconds % 60;
    return minutes + ' ' + units.minutes + ' ' + seconds + ' ' + units.seconds;
  }

  /*
   * Update every [data-countdown-until] element once a second. The attribute contains an
   * ISO 8601 instant, and the remaining time is written into its [data-countdown-text]
   * child. At zero the element gets the class countdown-expired, its [data-countdown-running]
   * parts are hidden and its [data-countdown-expired] parts shown, and the updates stop.
   */
  function startCountdowns() {
    var language = (document.documentElement.lang || 'da').slice(0, 2);
    var countdowns = [];

    document.querySelectorAll('[data-countdown-until]').forEach(function (element) {
      var deadline = Date.parse(element.getAttribute('data-countdown-until'));
      var text = element.querySelector('[data-countdown-text]');
      if (Number.isNaN(deadline) || !text) {
        return;
      }
      countdowns.push({ element: element, deadline: deadline, text: text });
    });
    if (countdowns.length === 0) {
      return;
    }

    function tick() {
      var now = Date.now();
      countdowns = countdowns.filter(function (countdown) {
        // Round up, so that "0 min. 0 sek." shows only once the deadline has passed.
        var remaining = Math.max(0, Math.ceil((countdown.deadline - now) / 1000));
        countdown.text.textContent = formatRemaining(remaining, language);
        if (remaining === 0) {
          countdown.element.classList.add('countdown-expired');
          // Swap the running text for the element's [data-countdown-expired] notice.
          countdown.element.querySelectorAll('[data-countdown-running]').forEach(function (part) {
            part.hidden = true;
          });
          countdown.element.querySelectorAll('[data-countdown-expired]').forEach(function (part) {
            part.hidden = false;
          });
          return false;
        }
        return true;
      });
      if (countdowns.length === 0) {
        window.clearInterval(timer);
      }
    }

    var timer = window.setInterval(tick, 1000);
    tick();
  }

  document.addEventListener('DOMContentLoaded', function () {
    registerAltchaWorkers();
    startCountdowns();
    // DKFDS.init() must run only once per page. It comes last, so that an exception
    // from a misconfigured component leaves the ALTCHA workers and countdowns working.
    window.DKFDS.init();
  });
})();
