// Small behaviours of the carepattern pages: copy a feed link, confirm destructive forms,
// focus the first problem or the item just added in the editor.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.copy");
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector(".copied");
  try {
    await navigator.clipboard.writeText(input.value);
    status.textContent = "Copied";
  } catch (error) {
    input.select();
    status.textContent = "Select and copy the link (Ctrl+C)";
  }
});
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
document.addEventListener("DOMContentLoaded", () => {
  const problems = document.getElementById("problems");
  if (problems) { problems.focus(); return; }
  const form = document.querySelector("form[data-focus]");
  if (form) {
    const item = document.getElementById("f-" + form.dataset.focus.replace(/[^A-Za-z0-9_-]+/g, "-").replace(/^-+|-+$/g, ""));
    const input = item && item.querySelector("input:not([type=hidden]), select, textarea");
    if (input) input.focus();
  }
});
