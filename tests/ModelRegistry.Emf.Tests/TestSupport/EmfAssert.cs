using System.Text.Json;

namespace ModelRegistry.Emf.Tests.TestSupport;

/// <summary>Checks that a written line is one EMF event CloudWatch accepts.</summary>
internal static class EmfAssert
{
    public static void IsValidLine(string line)
    {
        Assert.That(line, Does.EndWith("\n"), "a line ends with one line feed");
        var json = line[..^1];
        Assert.That(json, Does.Not.Contain("\n").And.Not.Contain("\r"), "a line is one line");
        using var document = JsonDocument.Parse(json);
        Assert.That(document.RootElement.ValueKind, Is.EqualTo(JsonValueKind.Object));
        var errors = EmfSchemas.Errors(EmfSchemas.Own, document.RootElement);
        Assert.That(errors, Is.Empty, $"the line breaks our EMF schema: {json}");
        _ = CloudWatchReader.Read(json);
    }
}
