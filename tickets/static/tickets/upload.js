/* Attachments: drag-and-drop onto the file input's zone, previews of chosen images, early
   size/count warnings. The server checks everything again; this only saves a round trip. */
(function () {
  "use strict";

  function setup(zone) {
    var input = zone.querySelector("input[type=file]");
    var list = zone.querySelector("[data-previews]");
    var error = zone.querySelector("[data-file-error]");
    if (!input || !list) { return; }
    var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10) || 0;
    var maxFiles = parseInt(input.getAttribute("data-max-files"), 10) || 0;
    var urls = [];

    function showError(message) {
      if (!error) { return; }
      error.textContent = message;
      error.hidden = !message;
    }

    function render() {
      urls.forEach(function (url) { URL.revokeObjectURL(url); });
      urls = [];
      list.textContent = "";
      var files = Array.prototype.slice.call(input.files || []);
      var problems = [];
      if (maxFiles && files.length > maxFiles) { problems.push(error.getAttribute("data-msg-too-many")); }
      files.forEach(function (file) {
        var item = document.createElement("li");
        if (/^image\/(png|jpeg|gif|webp)$/.test(file.type)) {
          var img = document.createElement("img");
          var url = URL.createObjectURL(file);
          urls.push(url);
          img.src = url;
          img.alt = "";
          item.appendChild(img);
        }
        var name = document.createElement("span");
        name.textContent = file.name;
        item.appendChild(name);
        list.appendChild(item);
        if (maxBytes && file.size > maxBytes) {
          problems.push(error.getAttribute("data-msg-too-large") + " " + file.name);
        }
      });
      showError(problems.join(" "));
    }

    input.addEventListener("change", render);
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("is-dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("is-dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
      // Add dropped files to those already chosen (DataTransfer is the only writable FileList).
      var merged = new DataTransfer();
      Array.prototype.forEach.call(input.files || [], function (file) { merged.items.add(file); });
      Array.prototype.forEach.call(event.dataTransfer.files, function (file) { merged.items.add(file); });
      input.files = merged.files;
      render();
    });
  }

  document.querySelectorAll("[data-dropzone]").forEach(setup);
})();
