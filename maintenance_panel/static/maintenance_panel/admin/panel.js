"use strict";
// Progressive enhancement for the maintenance panel: a "Copy" button next to a new
// bypass link (without JavaScript the link is still there to select and copy), and a
// name for the search box of the admin's user autocomplete, which Select2 makes
// without one.
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

    function nameSearchBoxes(select) {
        const label = document.querySelector(`label[for="${select.id}"]`);
        const container = select.nextElementSibling;
        if (!label || !container) {
            return;
        }
        const name = label.textContent.replace(/:\s*$/, "").trim();
        container.querySelectorAll(".select2-search__field:not([aria-label])").forEach((box) => {
            box.setAttribute("aria-label", name);
        });
    }

    function watchAutocompletes() {
        // Select2 builds (and rebuilds) its search box after the page has loaded.
        document.querySelectorAll("select.admin-autocomplete").forEach((select) => {
            const parent = select.parentElement;
            if (!parent) {
                return;
            }
            nameSearchBoxes(select);
            new MutationObserver(() => nameSearchBoxes(select)).observe(parent, {
                childList: true,
                subtree: true,
            });
        });
    }

    window.addEventListener("DOMContentLoaded", () => {
        watchAutocompletes();
        document.querySelectorAll("[data-copy-target]").forEach((button) => {
            button.hidden = false;
            button.addEventListener("click", () => copyFrom(button));
        });
    });
}
