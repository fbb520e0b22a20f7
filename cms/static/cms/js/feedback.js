// "Was this article helpful?" without a page reload; the forms post normally when this file is absent.
document.querySelectorAll("[data-feedback]").forEach((section) => {
  const status = section.querySelector("[data-feedback-status]");
  const commentForm = section.querySelector("[data-feedback-comment]");
  const voteButtons = section.querySelectorAll("[data-feedback-vote] button[name=helpful]");

  async function send(form, extra) {
    const data = new FormData(form);
    Object.entries(extra || {}).forEach(([key, value]) => data.set(key, value));
    const response = await fetch(form.action, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const payload = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(payload.error || response.statusText);
    }
    return payload;
  }

  section.querySelectorAll("form").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const extra = event.submitter && event.submitter.name ? { [event.submitter.name]: event.submitter.value } : {};
      try {
        const result = await send(form, extra);
        status.textContent = result.message;
        voteButtons.forEach((button) => {
          button.setAttribute("aria-pressed", String((button.value === "yes") === result.helpful));
        });
        commentForm.hidden = result.helpful;
        if (form === commentForm) {
          // Sent: an empty box (and the status above) shows it went; text left in it looks unsent.
          commentForm.querySelector("textarea").value = "";
        }
        if (!result.helpful && form !== commentForm) {
          commentForm.querySelector("textarea").focus();
        }
      } catch (error) {
        status.textContent = error.message;
      }
    });
  });
});
