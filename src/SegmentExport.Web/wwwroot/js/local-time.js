// Shows every <time data-local> in the browser's time zone ("2026-11-22 10:55 CET"); the UTC text stays as its tooltip.
// Kinds: "minutes" and "seconds" (date and time), "date" (the day only), "clock" (time of day to the millisecond).
// Scripts that add times later call window.SegmentExportTime.localize(element).
(function () {
    'use strict';
    function pad(n) { return String(n).padStart(2, '0'); }
    var zone;
    try {
        zone = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(new Date())
            .filter(function (p) { return p.type === 'timeZoneName'; }).map(function (p) { return p.value; })[0] || '';
    } catch (e) { zone = ''; }

    function localize(el) {
        var d = new Date(el.getAttribute('datetime'));
        if (isNaN(d.getTime())) { return; }
        var kind = el.getAttribute('data-local');
        var day = d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
        if (kind === 'clock') {
            el.title = el.textContent + ' UTC';
            el.textContent = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + String(d.getMilliseconds()).padStart(3, '0');
            return;
        }
        el.title = el.textContent;
        if (kind === 'date') {
            el.textContent = day;
            return;
        }
        var time = pad(d.getHours()) + ':' + pad(d.getMinutes()) + (kind === 'seconds' ? ':' + pad(d.getSeconds()) : '') + (zone ? ' ' + zone : '');
        // Two unbreakable pieces: a narrow column wraps between the day and the time, never inside "2026-11-22".
        el.textContent = '';
        el.appendChild(piece(day));
        el.appendChild(document.createTextNode(' '));
        el.appendChild(piece(time));
    }

    function piece(text) {
        var span = document.createElement('span');
        span.className = 'text-nowrap';
        span.textContent = text;
        return span;
    }

    window.SegmentExportTime = { localize: localize };
    document.querySelectorAll('time[data-local]').forEach(localize);
    // Tooltips (SVG <title>, which cannot hold a <time>): the UTC time in their text becomes the local one.
    document.querySelectorAll('[data-local-text]').forEach(function (el) {
        var d = new Date(el.getAttribute('data-local-text'));
        if (isNaN(d.getTime())) { return; }
        var local = d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes()) + (zone ? ' ' + zone : '');
        el.textContent = el.textContent.replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/, local);
    });
})();
