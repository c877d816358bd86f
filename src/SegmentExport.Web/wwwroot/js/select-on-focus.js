// Selects the whole value of an <input data-select-on-focus> when it gets focus (a new API token, ready to copy).
// A script file rather than an onfocus attribute: the Content-Security-Policy allows no inline script.
(function () {
    'use strict';
    document.querySelectorAll('input[data-select-on-focus]').forEach(function (el) {
        el.addEventListener('focus', function () { el.select(); });
    });
})();
