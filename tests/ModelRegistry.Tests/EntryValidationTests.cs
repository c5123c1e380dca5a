using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModelRegistry.Providers;
using ModelRegistry.Testing;

namespace ModelRegistry.Tests;

/// <summary>
/// Every entry of every source is validated alike when the registry loads: each bad value fails the load with a
/// <see cref="ModelRegistryException"/> naming the entry, the key as written and what is allowed. Each case runs for
/// registry JSON, configuration and a custom <see cref="IModelRegistrySource"/>.
/// </summary>
public sealed class EntryValidationTests
{
    public enum SourceKind
    {
        Json,
        Configuration,
        Custom,
    }

    private static readonly FakeProvider Declaring = new()
    {
        Settings =
        [
            EntrySettings.AwsRegion("region"),
            EntrySettings.Url("endpoint", "https://api.example.test"),
            EntrySettings.SecretReference("api_key"),
            EntrySettings.Choice("mode", ("fast", 1), ("careful", 2)),
            EntrySettings.AwsArn("inference_profile_arn", "bedrock", "application-inference-profile", "inference-profile"),
            EntrySettings.WholeNumber("top_k", 1, 500),
        ],
    };

    private static string Description(SourceKind kind) => kind switch
    {
        SourceKind.Json => "inline JSON",
        SourceKind.Configuration => "configuration section 'ModelRegistry:Models'",
        _ => "the custom test source",
    };

    private static ServiceProvider Registry(SourceKind kind, string json, IChatClientProvider? provider = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(provider ?? Declaring);
        var builder = services.AddModelRegistry();
        switch (kind)
        {
            case SourceKind.Json:
                builder.FromJson(json);
                break;
            case SourceKind.Configuration:
                var configuration = new ConfigurationBuilder()
                    .AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes("{\"ModelRegistry\":{\"Models\":" + json + "}}")))
                    .Build();
                services.AddSingleton<IConfiguration>(configuration);
                builder.FromConfiguration();
                break;
            default:
                var entries = FromJsonByHand(json);
                builder.FromSource(_ => new ListSource(entries));
                break;
        }

        return services.BuildServiceProvider();
    }

    /// <summary>What a custom source would build: entries made in code, settings flattened with ':' (no parser involved).</summary>
    private static List<ModelEntry> FromJsonByHand(string json)
    {
        var entries = new List<ModelEntry>();
        foreach (var (name, node) in JsonNode.Parse(json)!.AsObject())
        {
            var settings = new Dictionary<string, string>();
            string? provider = null, modelId = null;
            List<string>? fallbacks = null;
            foreach (var (key, value) in node!.AsObject())
            {
                switch (key)
                {
                    case "provider": provider = value!.GetValue<string>(); break;
                    case "model_id": modelId = value!.GetValue<string>(); break;
                    case "fallbacks": fallbacks = [.. value!.AsArray().Select(v => v!.GetValue<string>())]; break;
                    default: Flatten(key, value, settings); break;
                }
            }

            entries.Add(new ModelEntry(name, provider!, modelId!, settings) { Fallbacks = fallbacks! });
        }

        return entries;
    }

    private static void Flatten(string key, JsonNode? value, Dictionary<string, string> settings)
    {
        if (value is JsonObject obj)
        {
            foreach (var (child, childValue) in obj)
            {
                Flatten($"{key}:{child}", childValue, settings);
            }
        }
        else if (value is not null)
        {
            settings[key] = value is JsonValue v && v.TryGetValue<string>(out var text) ? text : value.ToJsonString();
        }
    }

    private static async Task<string> LoadFails(SourceKind kind, string json, IChatClientProvider? provider = null)
    {
        await using var services = Registry(kind, json, provider);
        var ex = Assert.ThrowsAsync<ModelRegistryException>(async () => await services.GetRequiredService<IModelRegistry>().GetEntriesAsync());
        Assert.That(ex!.Message, Does.Not.Contain("\n").And.Not.Contain("\r"), "one line");
        return ex.Message;
    }

    private static async Task<IReadOnlyList<ModelEntry>> Loads(SourceKind kind, string json, IChatClientProvider? provider = null)
    {
        await using var services = Registry(kind, json, provider);
        return await services.GetRequiredService<IModelRegistry>().GetEntriesAsync();
    }

    private static string Entry(string extra) => "{\"a\":{\"provider\":\"fake\",\"model_id\":\"m\"" + (extra.Length == 0 ? "" : "," + extra) + "}}";

    public static IEnumerable<TestCaseData> OutOfRange()
    {
        (string Group, string Key, string Value, string Expected)[] cases =
        [
            ("resilience", "attempt_timeout_ms", "0", "a whole number of milliseconds from 10 to 86400000"),
            ("resilience", "attempt_timeout_ms", "5", "a whole number of milliseconds from 10 to 86400000"),
            ("resilience", "attempt_timeout_ms", "86400001", "a whole number of milliseconds from 10 to 86400000"),
            ("resilience", "attempt_timeout_ms", "soon", "a whole number of milliseconds from 10 to 86400000"),
            ("resilience", "max_retries", "21", "a whole number from 0 to 20"),
            ("resilience", "max_retries", "-1", "a whole number from 0 to 20"),
            ("resilience", "max_retries", "1.5", "a whole number from 0 to 20"),
            ("resilience", "base_delay_ms", "-1", "a whole number of milliseconds from 0 to 86400000"),
            ("resilience", "max_delay_ms", "86400001", "a whole number of milliseconds from 0 to 86400000"),
            ("resilience", "max_retry_after_ms", "99999999999999999999", "a whole number of milliseconds from 0 to 86400000"),
            ("resilience", "stream_idle_timeout_ms", "9", "a whole number of milliseconds from 10 to 86400000"),
            ("resilience", "max_response_bytes", "1023", "a whole number from 1024 to 1073741824"),
            ("resilience", "max_response_bytes", "1073741825", "a whole number from 1024 to 1073741824"),
            ("resilience", "max_event_bytes", "0", "a whole number from 1024 to 1073741824"),
            ("circuit_breaker", "enabled", "sometimes", "true or false"),
            ("circuit_breaker", "failure_ratio", "0", "a number above 0 and at most 1, such as 0.5"),
            ("circuit_breaker", "failure_ratio", "1.5", "a number above 0 and at most 1, such as 0.5"),
            ("circuit_breaker", "failure_ratio", "NaN", "a number above 0 and at most 1, such as 0.5"),
            ("circuit_breaker", "minimum_throughput", "1", "a whole number from 2 to 10000"),
            ("circuit_breaker", "minimum_throughput", "10001", "a whole number from 2 to 10000"),
            ("circuit_breaker", "sampling_duration_ms", "499", "a whole number of milliseconds from 500 to 86400000"),
            ("circuit_breaker", "break_duration_ms", "86400001", "a whole number of milliseconds from 500 to 86400000"),
            ("limits", "max_concurrency", "0", "a whole number from 1 to 100000"),
            ("limits", "max_concurrency", "100001", "a whole number from 1 to 100000"),
            ("limits", "requests_per_minute", "0", "a whole number from 1 to 10000000"),
            ("limits", "tokens_per_minute", "2147483648", "a whole number from 1 to 2147483647"),
        ];
        foreach (var kind in Enum.GetValues<SourceKind>())
        {
            foreach (var (group, key, value, expected) in cases)
            {
                yield return new TestCaseData(kind, group, key, value, expected).SetArgDisplayNames(kind.ToString(), $"{group}:{key}={value}");
            }
        }
    }

    [TestCaseSource(nameof(OutOfRange))]
    public async Task A_core_setting_out_of_range_fails_the_load_naming_entry_key_and_range(SourceKind kind, string group, string key, string value, string expected)
    {
        var message = await LoadFails(kind, Entry($$"""
            "{{group}}":{"{{key}}":"{{value}}"}
            """));

        Assert.That(message, Is.EqualTo(
            $"Model registry entry 'a' ({Description(kind)}): setting '{group}:{key}' must be {expected}, but is '{value}'. Fix the value in the registry."));
    }

    [TestCase("resilience", "max_retry", "resilience:max_retries")]
    [TestCase("resilience", "attempt_timeout", "resilience:attempt_timeout_ms")]
    [TestCase("resilience", "stream_idle_timeout_MS", "resilience:stream_idle_timeout_ms")]
    [TestCase("circuit_breaker", "failure_rate", "circuit_breaker:failure_ratio")]
    [TestCase("circuit_breaker", "break_duration", "circuit_breaker:break_duration_ms")]
    [TestCase("limits", "max_concurrent", "limits:max_concurrency")]
    [TestCase("limits", "request_per_minute", "limits:requests_per_minute")]
    public async Task A_typo_inside_a_core_group_fails_with_a_suggestion_for_every_source(string group, string key, string suggestion)
    {
        foreach (var kind in Enum.GetValues<SourceKind>())
        {
            var message = await LoadFails(kind, Entry($$"""
                "{{group}}":{"{{key}}":"1"}
                """));

            Assert.That(message, Does.StartWith($"Model registry entry 'a' ({Description(kind)}): \"{group}:{key}\" is not a key of \"{group}\". Did you mean '{suggestion}'? Known keys: {group}:"), kind.ToString());
        }
    }

    [TestCase("capabilities", "visoin", "vision")]
    [TestCase("capabilities", "context_windows", "context_window")]
    [TestCase("pricing", "cache_reads", "cache_read")]
    [TestCase("pricing", "inptu", "input")]
    public async Task A_typo_inside_capabilities_or_pricing_fails_with_a_suggestion(string group, string key, string suggestion)
    {
        var body = group == "pricing" ? $"\"pricing\":{{\"input\":1,\"output\":2,\"{key}\":1}}" : $"\"capabilities\":{{\"{key}\":true}}";
        var json = await LoadFails(SourceKind.Json, Entry(body));
        var configuration = await LoadFails(SourceKind.Configuration, Entry(body));

        Assert.That(json, Does.Contain($"Model registry entry 'a' (inline JSON): $.a.{group}.{key} is not a known key. Did you mean '{suggestion}'?"));
        Assert.That(configuration, Does.Contain($"ModelRegistry:Models:a:{group}:{key} is not a known key. Did you mean '{suggestion}'?"));
    }

    [TestCase("Fallbacks", "[\"b\"]", "fallbacks")]
    [TestCase("fallback", "[\"b\"]", "fallbacks")]
    [TestCase("Pricing", "{\"input\":1,\"output\":2}", "pricing")]
    [TestCase("CAPABILITIES", "{\"vision\":true}", "capabilities")]
    public async Task A_reserved_key_in_another_case_or_singular_fails_with_a_suggestion(string key, string value, string suggestion)
    {
        var json = "{\"a\":{\"provider\":\"fake\",\"model_id\":\"m\",\"" + key + "\":" + value + "},\"b\":{\"provider\":\"fake\",\"model_id\":\"n\"}}";
        foreach (var kind in Enum.GetValues<SourceKind>())
        {
            var message = await LoadFails(kind, json);
            Assert.That(message, Does.StartWith($"Model registry entry 'a' ({Description(kind)})").And.Contain($"\"{key}"), kind.ToString());
            Assert.That(message, Does.Contain($"Did you mean \"{suggestion}\"?").Or.Contain($"Did you mean '{suggestion}'?"), kind.ToString());
            Assert.That(message, Does.Not.Contain("has no provider"));
        }
    }

    [Test]
    public async Task Provider_in_another_case_is_a_typo_not_a_missing_provider()
    {
        foreach (var kind in new[] { SourceKind.Json, SourceKind.Configuration })
        {
            var message = await LoadFails(kind, """{"a":{"Provider":"fake","model_id":"m"}}""");
            Assert.That(message, Does.Contain("has the key \"Provider\"").And.Contain("Did you mean \"provider\"? Keys are matched exactly."), kind.ToString());
        }
    }

    [Test]
    public async Task Provider_declared_keys_are_validated_and_misspelt_ones_get_a_suggestion([Values] SourceKind kind)
    {
        var region = await LoadFails(kind, Entry("\"region\":\"moon-base-9\""));
        var typo = await LoadFails(kind, Entry("\"regoin\":\"eu-west-1\""));
        var url = await LoadFails(kind, Entry("\"endpoint\":\"https://user:pw@api.example.test/?x=1\""));
        var choice = await LoadFails(kind, Entry("\"mode\":\"reckless\""));
        var arn = await LoadFails(kind, Entry("\"inference_profile_arn\":\"arn:aws:bedrock:evil.example.com/x?:123456789012:application-inference-profile/abc\""));

        var at = $"Model registry entry 'a' ({Description(kind)}): ";
        Assert.Multiple(() =>
        {
            Assert.That(region, Is.EqualTo(at + "setting 'region' must be an AWS region name such as eu-west-1 or us-east-1, but is 'moon-base-9'. Fix the value in the registry."));
            Assert.That(typo, Does.StartWith(at + "\"regoin\" is not a setting of provider 'fake'. Did you mean 'region'? Known keys: "));
            Assert.That(url, Does.StartWith(at + "setting 'endpoint' must be an absolute http(s) URL with no user name, query or fragment, such as https://api.example.test"));
            Assert.That(choice, Is.EqualTo(at + "setting 'mode' must be one of: fast, careful, but is 'reckless'. Fix the value in the registry."));
            Assert.That(arn, Does.StartWith(at + "setting 'inference_profile_arn' must be an ARN such as arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc"));
            Assert.That(arn, Does.Contain("('evil.example.com/x?' is not an AWS region)"));
        });
    }

    [Test]
    public async Task Valid_provider_and_core_settings_load([Values] SourceKind kind)
    {
        var entries = await Loads(kind, Entry("""
            "region":"eu-west-1","endpoint":"https://api.example.test/v1","api_key":"env:FAKE_KEY","mode":"Careful","top_k":40,
            "inference_profile_arn":"arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/abc",
            "resilience":{"max_retries":0,"attempt_timeout_ms":10,"stream_idle_timeout_ms":86400000},
            "circuit_breaker":{"enabled":false,"failure_ratio":1},"limits":{"max_concurrency":1}
            """));

        Assert.That(entries.Single().GetSetting("resilience:attempt_timeout_ms"), Is.EqualTo("10"));
    }

    [TestCase("sk-live-0123456789abcdefghij")]
    [TestCase("Bearer abc123def456")]
    [TestCase("mistral key 12345")]
    public async Task A_literal_secret_where_a_reference_belongs_is_refused_without_repeating_it(string secret)
    {
        foreach (var kind in Enum.GetValues<SourceKind>())
        {
            var message = await LoadFails(kind, Entry($"\"api_key\":\"{secret}\""));

            Assert.That(message, Does.Not.Contain(secret), kind.ToString());
            Assert.That(message, Is.EqualTo(
                $"Model registry entry 'a' ({Description(kind)}): setting 'api_key' must be a secret reference such as \"env:MY_API_KEY\" or \"ssm:/prod/api-key\", " +
                "not the secret itself: put the secret in an environment variable or an SSM SecureString and reference it. " +
                "The value is not shown, as it may be a secret. Fix the value in the registry."));
        }
    }

    [TestCase("vault:/prod/key", "uses the secret scheme 'vault', which no secret source serves (known: env)")]
    [TestCase("ssm:/prod/key", "uses the secret scheme 'ssm', which no secret source serves (known: env); add the ModelRegistry.ParameterStore package and call .AddParameterStore()")]
    public async Task A_secret_reference_of_an_unknown_scheme_is_refused(string reference, string expected)
    {
        var message = await LoadFails(SourceKind.Json, Entry($"\"api_key\":\"{reference}\""));
        Assert.That(message, Does.Contain("setting 'api_key' " + expected));
    }

    [Test]
    public async Task An_unregistered_provider_gets_its_core_keys_validated_but_not_its_own()
    {
        // Without the provider its keys are unknown: they load, and the entry's first call names the missing package.
        var entries = await Loads(SourceKind.Json, """{"large":{"provider":"mistral","model_id":"m","safe_prompt":"maybe","regoin":"x"}}""");
        Assert.That(entries.Single().GetSetting("safe_prompt"), Is.EqualTo("maybe"));

        var core = await LoadFails(SourceKind.Json, """{"large":{"provider":"mistral","model_id":"m","resilience":{"max_retries":99}}}""");
        Assert.That(core, Does.StartWith("Model registry entry 'large' (inline JSON): setting 'resilience:max_retries' must be a whole number from 0 to 20"));

        var typo = await LoadFails(SourceKind.Json, """{"large":{"provider":"mistral","model_id":"m","limits":{"rpm":5}}}""");
        Assert.That(typo, Does.StartWith("Model registry entry 'large' (inline JSON): \"limits:rpm\" is not a key of \"limits\"."));
    }

    [TestCase(".")]
    [TestCase("..")]
    [TestCase(" .. ")]
    [TestCase("m\r\nX-Injected: 1")]
    [TestCase("m\u0000")]
    public async Task A_model_id_that_names_no_model_is_refused(string modelId)
    {
        foreach (var kind in Enum.GetValues<SourceKind>())
        {
            var json = new JsonObject { ["a"] = new JsonObject { ["provider"] = "fake", ["model_id"] = modelId } }.ToJsonString();
            var message = await LoadFails(kind, json);
            Assert.That(message, Does.StartWith($"Model registry entry 'a' ({Description(kind)}): \"model_id\" must be the provider's model id"), kind.ToString());
        }
    }

    [TestCase("a\r\nb")]
    [TestCase("a\nINFO forged log line")]
    [TestCase("tab\tbed")]
    public async Task A_name_with_control_characters_is_refused_without_printing_them(string name)
    {
        foreach (var kind in new[] { SourceKind.Json, SourceKind.Custom })
        {
            var json = new JsonObject { [name] = new JsonObject { ["provider"] = "fake", ["model_id"] = "m" } }.ToJsonString();
            var message = await LoadFails(kind, json);
            Assert.That(message, Does.Contain("has an entry whose name holds control characters (such as a line break)").And.Contain("Rename it."), kind.ToString());
        }
    }

    [Test]
    public async Task Fallbacks_are_checked_for_every_source([Values] SourceKind kind)
    {
        var unknown = await LoadFails(kind, """{"a":{"provider":"fake","model_id":"m","fallbacks":["lrage"]},"large":{"provider":"fake","model_id":"n"}}""");
        var self = await LoadFails(kind, """{"a":{"provider":"fake","model_id":"m","fallbacks":["A"]}}""");
        var twice = await LoadFails(kind, """{"a":{"provider":"fake","model_id":"m","fallbacks":["b","B"]},"b":{"provider":"fake","model_id":"n"}}""");

        var at = $"Model registry entry 'a' ({Description(kind)}): ";
        Assert.Multiple(() =>
        {
            Assert.That(unknown, Is.EqualTo(at + "\"fallbacks\" names 'lrage', which is not in the registry. Did you mean 'large'? Known models: a, large."));
            Assert.That(self, Is.EqualTo(at + "names itself as a fallback in \"fallbacks\". Remove it from its own fallbacks."));
            Assert.That(twice, Is.EqualTo(at + "\"fallbacks\" names 'B' twice. Name each fallback once."));
        });
    }

    [Test]
    public async Task A_custom_source_is_checked_for_duplicates_null_entries_and_a_null_list()
    {
        async Task<string> Fails(IReadOnlyList<ModelEntry>? entries)
        {
            var services = new ServiceCollection().AddSingleton<IChatClientProvider>(new FakeProvider());
            services.AddModelRegistry().FromSource(_ => new ListSource(entries));
            await using var provider = services.BuildServiceProvider();
            return Assert.ThrowsAsync<ModelRegistryException>(async () => await provider.GetRequiredService<IModelRegistry>().GetEntriesAsync())!.Message;
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await Fails([new("a", "fake", "m"), new("a", "fake", "n")]), Is.EqualTo("The model registry from the custom test source defines 'a' twice. Remove one of the two entries."));
            Assert.That(await Fails([new("Haiku", "fake", "m"), new("haiku", "fake", "n")]), Does.Contain("entries 'Haiku' and 'haiku', which differ only by case"));
            Assert.That(await Fails([new("a", "fake", "m"), null!]), Is.EqualTo("The model registry from the custom test source holds a null entry. Remove it."));
            Assert.That(await Fails(null), Is.EqualTo("The model registry source the custom test source returned no entry list (null)."));
        });
    }

    [Test]
    public async Task A_null_fallback_list_from_a_custom_source_means_none()
    {
        var services = new ServiceCollection().AddSingleton<IChatClientProvider>(new FakeProvider());
        services.AddModelRegistry().FromSource(_ => new ListSource([new ModelEntry("a", "fake", "m") { Fallbacks = null! }]));
        await using var provider = services.BuildServiceProvider();

        var entry = await provider.GetRequiredService<IModelRegistry>().GetEntryAsync("a");
        Assert.That(entry.Fallbacks, Is.Empty);
    }

    [TestCase("1000000.01")]
    [TestCase("79228162514264337593543950335")]
    [TestCase("-0.01")]
    public async Task A_price_out_of_range_is_refused(string price)
    {
        var json = await LoadFails(SourceKind.Json, Entry($"\"pricing\":{{\"input\":{price},\"output\":1}}"));
        Assert.That(json, Does.Contain("$.a.pricing.input must be a price per million tokens from 0 to 1000000, but is the number " + price));

        var services = new ServiceCollection().AddSingleton<IChatClientProvider>(new FakeProvider());
        var value = decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture);
        services.AddModelRegistry().FromSource(_ => new ListSource([new ModelEntry("a", "fake", "m") { Pricing = new ModelPricing { Input = 1, Output = 1, CacheWrite = value } }]));
        await using var provider = services.BuildServiceProvider();
        var custom = Assert.ThrowsAsync<ModelRegistryException>(async () => await provider.GetRequiredService<IModelRegistry>().GetEntriesAsync());
        Assert.That(custom!.Message, Is.EqualTo($"Model registry entry 'a' (the custom test source): \"pricing:cache_write\" must be a price per million tokens from 0 to 1000000, but is {price}."));
    }

    [Test]
    public void The_cost_of_a_call_at_the_highest_price_never_overflows()
    {
        var pricing = new ModelPricing { Input = 1_000_000m, Output = 1_000_000m, CacheRead = 1_000_000m, CacheWrite = 1_000_000m };

        Assert.Multiple(() =>
        {
            Assert.That(pricing.CostOf(long.MaxValue, long.MaxValue, long.MaxValue, long.MaxValue), Is.EqualTo(3m * long.MaxValue));
            Assert.That(pricing.CostOf(long.MaxValue, long.MaxValue), Is.EqualTo(2m * long.MaxValue));
            Assert.That(pricing.CostOf(0, 0, long.MaxValue, long.MaxValue), Is.EqualTo(2m * long.MaxValue), "cached counts beyond the input leave no uncached tokens");
            Assert.That(pricing.CostOf(-5, -5, -5, -5), Is.Zero, "negative counts cost nothing");
        });
    }

    private sealed class ListSource(IReadOnlyList<ModelEntry>? entries) : IModelRegistrySource
    {
        public string Description => "the custom test source";

        public ValueTask<IReadOnlyList<ModelEntry>> LoadAsync(CancellationToken cancellationToken) => ValueTask.FromResult(entries!);
    }
}
