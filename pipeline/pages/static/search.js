(function () {
  var box = document.getElementById("search");
  if (location.protocol === "file:") {
    document.getElementById("file-note").hidden = false;
  }
  try {
    new PagefindUI({element: "#search", showSubResults: true, showImages: false,
                    baseUrl: new URL(".", location.href).pathname});
  } catch (error) {
    box.textContent = "Search could not start: " + error;
  }
})();
