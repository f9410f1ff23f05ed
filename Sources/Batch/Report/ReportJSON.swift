/// `report.json`: everything in the report, keys in a fixed order (the shape is in the README).
public enum ReportJSON {
    /// The report as JSON text, LF-terminated; the same report gives the same bytes.
    public static func render(_ r: AuditReport) -> [UInt8] {
        Array((value(r).rendered() + "\n").utf8)
    }

    static func value(_ r: AuditReport) -> JSONValue {
        let h = r.header, hl = r.headline
        func labelled(_ items: [AuditReport.Labelled], _ key: String) -> JSONValue {
            .array(items.map { .object([(key, .string($0.label)), ("name", .string($0.name)), ("count", .int($0.count))]) })
        }
        func unmatched(_ items: [AuditReport.Unmatched]) -> JSONValue {
            .array(items.map { .object([("id", .string($0.id)), ("reason", .string($0.reason)),
                                        ("detail", .string($0.detail)), ("open", .count($0.open))]) })
        }
        func changes(_ items: [AuditReport.MatchChange]) -> JSONValue {
            .array(items.map { .object([("worker_id", .string($0.workerId)), ("before", .text($0.before)),
                                        ("after", .text($0.after)), ("why", .string($0.why))]) })
        }
        let comparison: JSONValue = r.comparison.map { c in
            .object([
                ("other_run_id", .int(Int(c.otherRunId))), ("other_run_date", .string(c.otherRunDate)),
                ("other_strategy", .string(c.otherStrategy)), ("other_policy_sha256", .string(c.otherPolicySHA256)),
                ("other_input_sha256", .string(c.otherInputSHA256)),
                ("policy_changes", .array(c.policyChanges.map { .string($0) })),
                ("unchanged", .int(c.unchanged)), ("new", changes(c.newMatches)), ("lost", changes(c.lostMatches)),
                ("changed", changes(c.changedMatches)),
            ])
        } ?? .null
        return .object([
            ("report_version", .int(AuditReport.version)),
            ("run", .object([
                ("run_id", .int(Int(h.runId))), ("job", .string(h.jobName)), ("run_date", .string(h.runDate)),
                ("scope", .string(h.scope)), ("strategy", .string(h.strategy)), ("number", .int(h.number)),
                ("status", .string(h.status)), ("policy_sha256", .string(h.policySHA256)),
                ("input_sha256", .string(h.inputSHA256)), ("engine_version", .string(h.engineVersion)),
                ("who_list_edition", .string(h.whoListEdition)),
                ("iso_codes_versions", .array(h.isoCodesVersions.map { .string($0) })), ("created_at", .string(h.createdAt)),
                ("finished_at", .text(h.finishedAt)), ("policy_text", .string(h.policyText)),
                ("min_fit", .string(r.minFit)),
                ("weights", .object(zip(AuditReport.criteria, r.weightTexts).map { ($0, .string($1)) })),
            ])),
            ("steps", .array(r.steps.map { s in
                .object([("execution_id", .int(Int(s.executionId))), ("step", .string(s.step)),
                         ("status", .string(s.status)), ("duration_ms", .number(s.durationMs)),
                         ("rows_read", .number(s.rowsRead)), ("rows_written", .number(s.rowsWritten)),
                         ("attempts", .int(s.attempts))])
            })),
            ("headline", .object([
                ("workers", .int(hl.workers)), ("vacancies", .int(hl.vacancies)), ("openings", .count(hl.openings)),
                ("eligible_workers", .int(hl.eligibleWorkers)), ("eligible_vacancies", .int(hl.eligibleVacancies)),
                ("eligible_openings", .count(hl.eligibleOpenings)), ("candidates", .int(hl.candidates)),
                ("matched", .int(hl.matched)), ("unmatched_workers", .int(hl.unmatchedWorkers)),
                ("unfilled_openings", .count(hl.unfilledOpenings)), ("fit_sum", .string(ReportFormat.fit(hl.fitSumMicro))),
                ("mean_fit", .text(hl.meanFitMicro.map(ReportFormat.fit))), ("worker_rank_sum", .int(hl.workerRankSum)),
                ("warnings", .object(hl.warnings.map { ($0.label, .int($0.count)) })),
            ])),
            ("fit_distribution", .array(r.fitDistribution.map {
                .object([("low", .string(ReportFormat.fit($0.lowMicro))), ("high", .string(ReportFormat.fit($0.highMicro))),
                         ("count", .int($0.count))])
            })),
            ("matches_by_destination", labelled(r.byDestination, "country")),
            ("matches_by_isco_major_group", labelled(r.byIscoMajorGroup, "group")),
            ("exclusions_by_reason", labelled(r.exclusionsByReason, "reason")),
            ("corridors", .array(r.corridors.map {
                .object([("origin", .string($0.origin)), ("destination", .string($0.destination)),
                         ("matched", .int($0.matched))])
            })),
            ("ethical_recruitment", .array(r.reasons.map { s in
                .object([("reason", .string(s.reason)), ("count", .int(s.count)),
                         ("by_subject", .object(s.bySubject.map { ($0.label, .int($0.count)) })),
                         ("rule", .string(s.rule)), ("source", .string(s.source)),
                         ("samples", .array(s.samples.map { .string($0) }))])
            })),
            ("fairness", .object([
                ("minimum_group_size", .int(AuditReport.minimumGroupSize)),
                ("threshold", .string("4/5")),
                ("tables", .array(r.fairness.map { t in
                    .object([("attribute", .string(t.attribute)), ("groups", .array(t.groups.map { g in
                        .object([("group", .string(g.group)), ("eligible", .int(g.eligible)),
                                 ("matched", .int(g.matched)), ("rated", .bool(g.rated)),
                                 ("impact_ratio", g.impactNumerator == nil ? .null : .string(ReportFormat.impactExact(g))),
                                 ("best", .bool(g.best)), ("flagged", .bool(g.flagged))])
                    }))])
                })),
            ])),
            ("matches", .array(r.matches.map { m in
                .object([("worker_id", .string(m.workerId)), ("origin_country", .string(m.originCountry)),
                         ("vacancy_id", .string(m.vacancyId)), ("destination_country", .string(m.destination)),
                         ("isco", .string(m.isco)), ("fit", .string(ReportFormat.fit(m.fitMicro))),
                         ("worker_rank", .int(m.workerRank)),
                         ("criteria", .object(zip(AuditReport.criteria, m.criteria).map { ($0, .string($1)) })),
                         ("missing_essential_skills", .array(m.missingEssentialSkills.map {
                             .object([("skill", .string($0.code)), ("has", .int($0.has)), ("needs", .int($0.needs))])
                         })),
                         ("monthly_wage", .string(m.monthlyWage)), ("currency", .string(m.currency)),
                         ("monthly_wage_usd", .string(m.wageUSD))])
            })),
            ("fx_rates", .array(r.fxRates.map {
                .object([("currency", .string($0.currency)), ("usd_per_unit", .string($0.usdPerUnit))])
            })),
            ("minimum_wages", .array(r.minimumWages.map {
                .object([("country", .string($0.country)), ("monthly_amount", .string($0.monthlyAmount)),
                         ("currency", .string($0.currency)), ("usd", .string($0.usd))])
            })),
            ("loads", .array(r.loads.map {
                .object([("feed_id", .number($0.feedId.map(Int.init))), ("kind", .string($0.kind)),
                         ("source", .text($0.source)), ("file_name", .text($0.fileName)),
                         ("file_sha256", .text($0.fileSHA256)), ("iso_codes_version", .text($0.isoCodesVersion)),
                         ("finished_at", .text($0.finishedText)), ("rows", .int($0.rows))])
            })),
            ("unmatched_workers", unmatched(r.unmatchedWorkers)),
            ("unfilled_vacancies", unmatched(r.unfilledVacancies)),
            ("comparison", comparison),
        ])
    }
}
