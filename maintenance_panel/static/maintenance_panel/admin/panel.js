"use strict";
// Progressive enhancement for the maintenance panel: a "Copy" button next to a new
// bypass link. Without JavaScript the link is still there to select and copy.
{
    function copyFrom(button) {
        const input = document.getElementById(button.dataset.copyTarget);
        if (!input) {
            return;
        }
        input.select();
        const done = () => {
            button.textContent = button.dataset.copiedText;
        };
        if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(input.value).then(done, () => {});
        } else if (document.execCommand("copy")) {
            done();
        }
    }

    window.addEventListener("DOMContentLoaded", () => {
        document.querySelectorAll("[data-copy-target]").forEach((button) => {
            button.hidden = false;
            button.addEventListener("click", () => copyFrom(button));
        });
    });
}
