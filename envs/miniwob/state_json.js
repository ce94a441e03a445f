// state.js's reading as one JSON string (`state` and `toJson` are state.js and to_json.js).
(withDom) => toJson(state(withDom))
