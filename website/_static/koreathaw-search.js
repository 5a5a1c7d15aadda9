/* Sphinx's search shows a summary of each hit by fetching its page; a page opened
 * from disk (file://) may not fetch another file, and each refusal is a console
 * error. From disk, show the hits without summaries; from a server, with them. */
if (location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
  DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
}
