/*
 * Day view: fetch the day's bookings and walk-ins from the JSON endpoint in the
 * table's data-day-view attribute every POLL_SECONDS, and rebuild both table bodies.
 * Text is set with textContent only, so no value from the server becomes markup.
 */
(function () {
  'use strict';

  var POLL_SECONDS = 15;

  function cell(row, text) {
    var td = document.createElement('td');
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function statusCell(row, label) {
    var td = document.createElement('td');
    var span = document.createElement('span');
    span.className = 'status-label';
    span.textContent = label;
    td.appendChild(span);
    row.appendChild(td);
  }

  function formatCode(code) {
    return code.slice(0, 3) + ' ' + code.slice(3);
  }

  function emptyRow(body, columns, text) {
    var row = document.createElement('tr');
    var td = cell(row, text);
    td.colSpan = columns;
    body.appendChild(row);
  }

  function renderBookings(body, bookings, emptyText) {
    body.replaceChildren();
    if (bookings.length === 0) {
      emptyRow(body, 9, emptyText);
      return;
    }
    bookings.forEach(function (booking) {
      var row = document.createElement('tr');
      row.className = 'status-' + booking.status;
      cell(row, booking.time);
      cell(row, booking.unit);
      var codeCell = document.createElement('td');
      var link = document.createElement('a');
      link.href = booking.url;
      link.textContent = formatCode(booking.code);
      codeCell.appendChild(link);
      row.appendChild(codeCell);
      cell(row, booking.name);
      cell(row, booking.purpose + ', ' + booking.persons);
      statusCell(row, booking.status_label);
      cell(row, booking.checked_in);
      cell(row, booking.called);
      cell(row, booking.served);
      body.appendChild(row);
    });
  }

  function renderWalkIns(body, walkIns, emptyText) {
    body.replaceChildren();
    if (walkIns.length === 0) {
      emptyRow(body, 7, emptyText);
      return;
    }
    walkIns.forEach(function (walkIn) {
      var row = document.createElement('tr');
      row.className = 'status-' + walkIn.status;
      cell(row, walkIn.ticket);
      cell(row, walkIn.purpose + ', ' + walkIn.persons);
      statusCell(row, walkIn.status_label);
      cell(row, walkIn.unit);
      cell(row, walkIn.arrived);
      cell(row, walkIn.called);
      cell(row, walkIn.served);
      body.appendChild(row);
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var table = document.querySelector('[data-day-view]');
    if (!table) {
      return;
    }
    var url = table.getAttribute('data-day-view');
    var bookingBody = document.querySelector('[data-day-bookings]');
    var walkInBody = document.querySelector('[data-day-walk-ins]');
    var updated = document.querySelector('[data-day-updated]');

    function refresh() {
      // credentials: the endpoint needs the staff session cookie. A redirect to the
      // login page (session ended) fails to parse as JSON and leaves the table as is.
      fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error('day view update failed with HTTP ' + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          renderBookings(bookingBody, data.bookings, table.getAttribute('data-empty-text'));
          renderWalkIns(walkInBody, data.walk_ins,
            walkInBody.closest('table').getAttribute('data-empty-text'));
          updated.textContent = data.updated;
        })
        .catch(function (error) {
          console.warn(error);
        });
    }

    window.setInterval(refresh, POLL_SECONDS * 1000);
  });
})();
