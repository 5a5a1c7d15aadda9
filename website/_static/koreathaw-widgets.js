/* Names for the slider handles the widget manager draws.
 *
 * ipywidgets' sliders are noUiSlider handles with role="slider" but no accessible
 * name: a screen reader says "slider, 4". Each handle is given the slider's label
 * ("Event", "Months, start", "Months, end") and, for a single handle, the value
 * the readout shows ("2018-03-27 · E008"). Used by the website and by the course's
 * nbconvert template; runs again whenever the manager draws more widgets.
 */
(function () {
  "use strict";
  function nameHandles() {
    document.querySelectorAll(".widget-slider").forEach(function (slider) {
      var label = slider.querySelector(".widget-label");
      var name = (label && label.textContent.trim()) || "Slider";
      var readout = slider.querySelector(".widget-readout");
      var handles = slider.querySelectorAll(".noUi-handle");
      handles.forEach(function (handle) {
        var wanted = name;
        if (handles.length === 2) {
          wanted += handle.classList.contains("noUi-handle-upper") ? ", end" : ", start";
        } else if (readout && readout.textContent.trim()) {
          var value = readout.textContent.trim();
          if (handle.getAttribute("aria-valuetext") !== value) handle.setAttribute("aria-valuetext", value);
        }
        if (handle.getAttribute("aria-label") !== wanted) handle.setAttribute("aria-label", wanted);
      });
    });
  }
  function start() {
    nameHandles();
    new MutationObserver(nameHandles).observe(document.body, { childList: true, subtree: true, characterData: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
