// Expands every VEVENT of an iCalendar file with ical.js (Thunderbird's parser), using the
// file's own VTIMEZONEs: ical.js has no time zone database of its own, so a wrong VTIMEZONE
// shows up as wrong UTC instants.
//
// Usage: node tests/js/expand.mjs FEED.ics [MORE.ics ...]
// Prints JSON: {"FEED.ics": [{"uid", "sequence", "tzid", "start": local "YYYY-MM-DDTHH:MM:SS", "end",
//                             "utc": ISO instant}], ...}
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const MAX_OCCURRENCES = 10000; // a guard against a rule that never ends

function expand(text) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(vtimezone);
  }
  const occurrences = [];
  for (const vevent of calendar.getAllSubcomponents("vevent")) {
    const event = new ICAL.Event(vevent);
    const iterator = event.iterator();
    for (let next = iterator.next(), n = 0; next; next = iterator.next(), n++) {
      if (n >= MAX_OCCURRENCES) {
        throw new Error(`${event.uid}: more than ${MAX_OCCURRENCES} occurrences`);
      }
      const details = event.getOccurrenceDetails(next);
      occurrences.push({
        uid: event.uid,
        sequence: event.sequence,
        tzid: details.startDate.zone ? details.startDate.zone.tzid : null,
        start: details.startDate.toString(),
        end: details.endDate.toString(),
        utc: details.startDate.toJSDate().toISOString(),
      });
    }
  }
  return occurrences;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node tests/js/expand.mjs FEED.ics [MORE.ics ...]");
  process.exit(2);
}
const expanded = {};
for (const file of files) {
  expanded[file] = expand(readFileSync(file, "utf8"));
}
process.stdout.write(JSON.stringify(expanded));
