/**
 * The vocabulary of sanitize's fake people (ops/sanitize/fake.ts draws from it): here, below both,
 * because the scans must recognise a fake as one.
 */

/** First and last names of the fake people (the known-value scan never takes a production value built from them for a leak). */
export const fakeFirstNames: readonly string[] = ["Alex", "Sam", "Robin", "Jordan", "Taylor", "Morgan", "Casey", "Jamie", "Avery", "Riley", "Quinn", "Rowan",
    "Skyler", "Parker", "Reese", "Drew", "Emerson", "Hayden", "Kendall", "Logan", "Peyton", "Sage", "Blake", "Cameron",
    "Dakota", "Ellis", "Finley", "Harper", "Jules", "Kai", "Lane", "Micah", "Noel", "Oakley", "Remy", "Shay"];
export const fakeLastNames: readonly string[] = ["Testperson", "Sample", "Example", "Placeholder", "Fakename", "Demo", "Anon", "Mockley", "Dummy", "Specimen",
    "Fictive", "Stand-in", "Proxy", "Pseudo", "Trial", "Doe", "Roe", "Nobody", "Someone", "Whoever", "Generic", "Default",
    "Tester", "Surrogate"];
