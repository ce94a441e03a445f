// Loads the classless stylesheet named by the page's query (?css=sakura-dark): one page, many looks.
(function () {
  var sheets = {
    "mvp": "mvp.css/mvp.css",
    "sakura": "sakura.css/css/sakura.css",
    "sakura-dark": "sakura.css/css/sakura-dark.css",
    "new": "@exampledev/new.css/new.css",
    "new-night": "@exampledev/new.css/new.css",
    "bamboo-dark": "bamboo.css/dist/dark.min.css",
    "marx": "marx-css/css/marx.min.css",
    "milligram": "milligram/dist/milligram.min.css",
    "chota": "chota/dist/chota.min.css",
    "holiday": "holiday.css/dist/holiday.css",
    "tacit": "tacit-css/dist/tacit-css.min.css"
  };
  var name = new URLSearchParams(location.search).get("css") || "mvp";
  document.write('<link rel="stylesheet" href="/npm/' + sheets[name] + '">');
  if (name === "new-night") {
    document.write('<link rel="stylesheet" href="/npm/@exampledev/new.css/theme/night.css">');
  }
})();
