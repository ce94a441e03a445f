// A value as one JSON string, undefined as null (as Playwright returns it; JSON.stringify would
// drop the key). Playwright validates and rebuilds a returned object value by value in Python,
// which cost ~1 ms per DOM read here; json.loads of the string takes ~0.1 ms.
(v) => JSON.stringify(v, (k, x) => (x === undefined ? null : x))
