"use strict";
// Progressive enhancement for the maintenance panel: a "Copy" button next to a new
// bypass link (without JavaScript the link is still there to select and copy), a
// name for the search box of the admin's user autocomplete, which Select2 makes
// without one, and the repeat rule's preview kept up to date while the operator types
// (without JavaScript it shows what the page was drawn with, and saving checks it).
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

    function watchRule(preview) {
        const rule = document.getElementById("id_recurrence");
        const duration = document.getElementById("id_recurrence_duration");
        let timer = null;
        let pending = null;
        const update = () => {
            const query = new URLSearchParams({
                rule: rule.value,
                duration: duration ? duration.value : "",
            });
            if (pending) {
                pending.abort();
            }
            pending = new AbortController();
            fetch(`${preview.dataset.previewUrl}?${query}`, {
                credentials: "same-origin",
                signal: pending.signal,
            })
                .then((response) => (response.ok ? response.text() : Promise.reject(response)))
                .then((html) => {
                    preview.innerHTML = html;
                })
                .catch(() => {});
        };
        const later = () => {
            clearTimeout(timer);
            timer = setTimeout(update, 250);
        };
        rule.addEventListener("input", later);
        if (duration) {
            duration.addEventListener("input", later);
        }
    }

    window.addEventListener("DOMContentLoaded", () => {
        watchAutocompletes();
        const preview = document.querySelector(".mp-rule-preview[data-preview-url]");
        if (preview && document.getElementById("id_recurrence")) {
            watchRule(preview);
        }
        document.querySelectorAll("[data-copy-target]").forEach((button) => {
            button.hidden = false;
            button.addEventListener("click", () => copyFrom(button));
        });
    });
}
