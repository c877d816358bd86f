// Shows every <time data-local> in the browser's time zone ("2026-11-22 10:55 CET"); the UTC text stays as its tooltip.
(function () {
    'use strict';
    function pad(n) { return String(n).padStart(2, '0'); }
    var zone;
    try {
        zone = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(new Date())
            .filter(function (p) { return p.type === 'timeZoneName'; }).map(function (p) { return p.value; })[0] || '';
    } catch (e) { zone = ''; }
    document.querySelectorAll('time[data-local]').forEach(function (el) {
        var d = new Date(el.getAttribute('datetime'));
        if (isNaN(d.getTime())) { return; }
        var kind = el.getAttribute('data-local');
        if (kind === 'clock') {
            el.title = el.textContent + ' UTC';
            el.textContent = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + '.' + String(d.getMilliseconds()).padStart(3, '0');
            return;
        }
        var text = d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes())
            + (kind === 'seconds' ? ':' + pad(d.getSeconds()) : '');
        el.title = el.textContent;
        el.textContent = text + (zone ? ' ' + zone : '');
    });
})();
