// Live progress of an export run: polls the run page's Progress handler while the run is queued or
// running, updates the bar, the counts, rows/s and ETA, and reloads once it finishes (for the timeline).
(function () {
    'use strict';
    var box = document.getElementById('run-progress');
    var url = box && box.getAttribute('data-url');
    if (!url) {
        return;
    }

    var bar = document.getElementById('run-progress-bar');
    var text = document.getElementById('run-progress-text');
    var number = new Intl.NumberFormat();

    function setCount(name, value) {
        var cell = document.querySelector('[data-count="' + name + '"]');
        if (cell) { cell.textContent = number.format(value); }
    }

    function poll() {
        fetch(url, { headers: { 'Accept': 'application/json' }, credentials: 'same-origin' })
            .then(function (response) { return response.ok ? response.json() : null; })
            .then(function (p) {
                if (!p) { setTimeout(poll, 5000); return; }
                bar.style.width = p.percent + '%';
                bar.textContent = p.percent + '%';
                box.setAttribute('aria-valuenow', String(p.percent));
                text.textContent = number.format(p.processed) + ' of ' + number.format(p.members) + ' processed · '
                    + p.rowsPerSecond.toFixed(1) + ' rows/s' + (p.eta ? ' · about ' + p.eta + ' left' : '') + ' · ' + p.status;
                setCount('members', p.members);
                setCount('sent', p.sent);
                setCount('unchanged', p.unchanged);
                setCount('skipped', p.skipped);
                setCount('rejected', p.rejected);
                if (p.active) {
                    setTimeout(poll, 1500);
                } else {
                    window.location.reload();
                }
            })
            .catch(function () { setTimeout(poll, 5000); });
    }

    setTimeout(poll, 1000);
})();
