// The defaults of the organisation fields follow the industry and size as they are typed.
(function () {
  const industry = document.getElementById("organisation.industry");
  const size = document.getElementById("organisation.size");
  if (!industry || !size) return;
  async function update() {
    const query = new URLSearchParams({"organisation.industry": industry.value, "organisation.size": size.value,
                                       "lang": document.documentElement.lang});
    try {
      const response = await fetch("/api/defaults?" + query.toString(), {cache: "no-store"});
      const shown = await response.json();
      for (const [path, text] of Object.entries(shown)) {
        const input = document.getElementById(path);
        if (input) input.placeholder = text;
      }
    } catch (e) { /* the defaults stay as they were */ }
  }
  industry.addEventListener("change", update);
  size.addEventListener("change", update);
})();
