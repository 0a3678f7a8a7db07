// Package textfmt formats the figures warren prints, one convention for
// each kind, so that a size or a count reads the same in warren size,
// warren health, a run's report.md and warren bench:
//
//   - byte sizes in binary units, as RabbitMQ's own tools and management UI
//     print them: "512 B", "4.0 KiB", "1.5 GiB" ([Bytes]);
//   - counts with thousands separators: "12,345" ([Count], [Thousands]);
//   - other figures with three significant digits: "0.412", "7.14",
//     "1,204" ([Number]);
//   - rates in messages per second with at most one decimal: "999.4 msg/s",
//     "2,000 msg/s" ([Rate]);
//   - durations as people read them: "12.5 ms", "7.14 s", "12.5 min",
//     "3.5 h" ([Seconds], [Duration], [Micros]);
//   - "1 message" and "3 messages" ([Plural]);
//   - free text made safe for Markdown ([EscapeMarkdown], [MarkdownCell]).
//
// Two helpers that packages kept copies of live elsewhere: the median in
// internal/stats, and the first non-empty string is the standard
// library's cmp.Or.
//
// It imports nothing of warren's, so every package may use it, the pure
// sizing model included.
package textfmt
