import Lab
import Numerics
import Testing

@Suite struct SettingsTests {
    @Test func catalogDefaults() {
        let settings = Settings()
        #expect(settings.int("seed") == 0)
        #expect(settings.int("threads") == ComputeThreads.machineDefault)
        #expect(settings.float("pretrain.lr") == 1e-2)
        #expect(settings.float("ppo.clip") == 0.2)
        #expect(settings.word("pg.baseline") == "batch")
        #expect(settings.word("output") == "text")
        #expect(settings.bool("unicode"))
        for spec in settings.specs {
            #expect(!spec.doc.isEmpty, "\(spec.name) has no doc")
            #expect((try? spec.parse(spec.defaultValue.description)) == spec.defaultValue, "\(spec.name) default does not round-trip")
        }
    }

    /// Every refused value leaves every setting as it was, and the error names the allowed range.
    @Test(arguments: [
        ("temperature", "nan"), ("temperature", "inf"), ("temperature", "-inf"), ("temperature", "-0.5"),
        ("temperature", "11"), ("temperature", "warm"), ("top_p", "0"), ("top_p", "1.5"),
        ("threads", "0"), ("threads", "65"), ("threads", "2.5"), ("threads", "two"),
        ("seed", "-1"), ("seed", "2147483649"), ("width", "39"), ("unicode", "maybe"),
        ("output", "xml"), ("kl_estimator", "k2"), ("ppo.epochs", "1e9"), ("beta", "101"),
    ])
    func refusedValues(name: String, value: String) {
        let session = makeSession()
        let before = session.settings.specs.map { session.settings.value($0.name) }
        let outcome = session.execute(line: ":set \(name) \(value)")
        #expect(!outcome.ok)
        #expect(outcome.stderr.hasPrefix("error: \(name): "), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("hint: allowed: "), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
        #expect(session.settings.specs.map { session.settings.value($0.name) } == before)
    }

    @Test func unknownSettingSuggests() {
        let session = makeSession()
        let outcome = session.execute(line: ":set temprature 0.5")
        #expect(!outcome.ok)
        #expect(outcome.stderr == "error: unknown setting 'temprature'\n  hint: did you mean 'temperature'?\n")
        #expect(session.settings.changed.isEmpty)
    }

    @Test func setEchoesAndListsChanges() {
        let session = makeSession()
        #expect(session.execute(line: ":set temperature 0.7").stdout == "temperature: 1 -> 0.7\n")
        #expect(session.execute(line: ":set unicode off").stdout == "unicode: on -> off\n")
        #expect(session.execute(line: ":set pg.baseline RLOO").stdout == "pg.baseline: batch -> rloo\n")
        let listed = session.execute(line: ":set").stdout
        #expect(listed.contains("temperature *0.7"))
        #expect(listed.contains("unicode") && !listed.contains("seed"))
        #expect(session.settings.float("temperature") == 0.7)
    }

    /// A dash may stand for an underscore, in `:set`, `:show` and a command's overrides.
    @Test func dashesMayStandForUnderscores() {
        let session = makeSession()
        #expect(session.execute(line: ":set top-k 5").stdout == "top_k: 0 -> 5\n")
        #expect(session.settings.value("top_k") == .int(5))
        #expect(session.execute(line: ":show ppo.target-kl").stdout.contains("ppo.target_kl"))
        #expect(session.execute(line: ":set grad-clip 0.5").ok && session.settings.float("grad_clip") == 0.5)
        let unknown = session.execute(line: ":set top-q 5")
        #expect(!unknown.ok && unknown.stderr.contains("unknown setting 'top-q'"))
    }

    @Test func temperatureZeroMeansGreedyAndIsAllowed() {
        let session = makeSession()
        #expect(session.execute(line: ":set temperature 0").ok)
    }

    @Test func threadsSettingNotifiesItsHook() {
        let session = makeSession()
        // tests run in parallel: never change the process's thread count under another test's training
        session.controlsThreads = false
        var seen: [SettingValue] = []
        session.settings.onChange("threads") { _, new in seen.append(new) }
        session.execute(line: ":set threads 13")   // never the default (at most 8)
        #expect(seen == [.int(13)])
    }

    @Test func showGroupsAndScopes() {
        let session = makeSession()
        let sampling = session.execute(line: ":show sampling").stdout
        #expect(sampling.hasPrefix("Sampling\n"))
        #expect(sampling.contains("top_p") && !sampling.contains("ppo.clip"))
        let ppo = session.execute(line: ":show ppo").stdout
        #expect(ppo.contains("ppo.clip") && !ppo.contains("temperature"))
        let all = session.execute(line: ":show").stdout
        for group in SettingGroup.allCases { #expect(all.contains(group.rawValue)) }
        let unknown = session.execute(line: ":show sampleing")
        #expect(!unknown.ok && unknown.stderr.contains("did you mean 'sampling'"))
    }
}
