using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using ModelRegistry.Bedrock.Internal;
using static ModelRegistry.Bedrock.Tests.Support.Fixtures;

namespace ModelRegistry.Bedrock.Tests;

/// <summary>
/// The response mapper on odd and on broken answers, without HTTP: odd but valid JSON maps to something sensible, and
/// JSON that breaks the Converse shape throws an exception naming what is wrong (the provider kit's error boundary turns
/// any exception into an invalid-response <see cref="ModelProviderException"/>; here it matters that the mapper neither
/// crashes on valid answers nor invents content from broken ones).
/// </summary>
public sealed class ConverseMappingRobustnessTests
{
    [TestCase("")]
    [TestCase("  ")]
    public void An_empty_stop_reason_is_no_finish_reason(string stopReason)
    {
        var response = Map(Converse(stopReason: stopReason));
        Assert.That(response.FinishReason, Is.Null);
        Assert.That(response.Text, Is.EqualTo("Paris."));
    }

    [Test]
    public void A_stop_reason_that_is_not_a_string_is_invalid()
    {
        var body = Converse().Replace("\"stopReason\":\"end_turn\"", "\"stopReason\":5", StringComparison.Ordinal);
        var error = Assert.Throws<InvalidDataException>(() => Map(body));
        Assert.That(error!.Message, Does.Contain("stopReason"));
    }

    [Test]
    public void An_output_that_is_an_array_is_invalid()
    {
        var error = Assert.Throws<InvalidDataException>(() => Map("""{"output":[],"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}"""));
        Assert.That(error!.Message, Does.Contain("'output'").And.Contain("array"));
    }

    [Test]
    public void A_response_without_output_is_an_empty_answer()
    {
        var response = Map("""{"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":0,"totalTokens":1},"metrics":{"latencyMs":1}}""");
        Assert.That(response.Messages.Single().Contents, Is.Empty);
        Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.Stop));
    }

    [Test]
    public void An_image_block_with_invalid_base64_is_invalid_and_not_echoed()
    {
        var error = Assert.Throws<InvalidDataException>(() => Map(Converse("""[{"image":{"format":"png","source":{"bytes":"not*base64!"}}}]""")));
        Assert.That(error!.Message, Does.Contain("image").And.Contain("base64"));
        Assert.That(error.Message, Does.Not.Contain("not*base64!"));
    }

    [Test]
    public void A_valid_image_block_maps_to_data()
    {
        var response = Map(Converse("""[{"image":{"format":"png","source":{"bytes":"iVBORw=="}}}]"""));
        var image = response.Messages[0].Contents.OfType<DataContent>().Single();
        Assert.That((image.MediaType, image.Data.ToArray()), Is.EqualTo(("image/png", new byte[] { 0x89, 0x50, 0x4E, 0x47 })));
    }

    /// <summary>
    /// A repeated member makes the JSON invalid: parsers disagree on which one counts (RFC 8259 section 4), so the
    /// answer is refused (System.Text.Json with AllowDuplicateProperties off) instead of being read one of two ways.
    /// </summary>
    [TestCase("""{"stopReason":"end_turn","stopReason":"tool_use","output":{"message":{"role":"assistant","content":[]}}}""")]
    [TestCase("""{"output":{"message":{"role":"assistant","content":[{"text":"a","text":"b"}]}},"stopReason":"end_turn"}""")]
    public void Duplicate_members_are_invalid(string body)
    {
        Assert.That(() => JsonValues.ParseObject(Encoding.UTF8.GetBytes(body)), Throws.InstanceOf<JsonException>());
    }

    [TestCase("[]")]
    [TestCase("null")]
    [TestCase("\"text\"")]
    [TestCase("{\"output\":")]
    public void A_body_that_is_not_a_json_object_is_invalid(string body)
    {
        Assert.That(() => JsonValues.ParseObject(Encoding.UTF8.GetBytes(body)), Throws.InstanceOf<JsonException>());
    }

    [Test]
    public void Unknown_and_odd_blocks_are_kept_raw_and_non_objects_ignored()
    {
        var response = Map(Converse("""[{"futureBlock":{"x":1}},"stray",{"text":"Hi"},{"toolResult":{"toolUseId":"t","content":[],"type":"some_future_tool_result"}}]"""));
        var contents = response.Messages[0].Contents;
        Assert.That(contents, Has.Count.EqualTo(3));
        Assert.That(contents[0].GetType(), Is.EqualTo(typeof(AIContent)));
        Assert.That(contents[0].RawRepresentation?.ToString(), Does.Contain("futureBlock"));
        Assert.That(response.Text, Is.EqualTo("Hi"));
        Assert.That(contents[2].RawRepresentation?.ToString(), Does.Contain("some_future_tool_result"));
    }

    [Test]
    public void Usage_fields_of_other_kinds_are_left_out_and_extra_counts_ignored()
    {
        var response = Map(Converse(usage: """
            {"inputTokens":"ten","outputTokens":3,"totalTokens":13,"cacheReadInputTokenCount":0,"cacheWriteInputTokenCount":0,
             "serverToolUsage":{},"cacheDetails":[{"ttl":"5m","inputTokens":2}]}
            """));
        Assert.That(response.Usage!.InputTokenCount, Is.Null);
        Assert.That(response.Usage.OutputTokenCount, Is.EqualTo(3));
        Assert.That(response.Usage.TotalTokenCount, Is.EqualTo(13));
    }

    private static ChatResponse Map(string body) =>
        ConverseResponseMapper.Map(Encoding.UTF8.GetBytes(body), Claude, "req-1", DateTimeOffset.UnixEpoch, null);
}
