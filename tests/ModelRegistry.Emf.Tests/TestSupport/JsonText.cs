namespace ModelRegistry.Emf.Tests.TestSupport;

/// <summary>Expected JSON written with apostrophes for quotes, so long single-line expectations stay readable.</summary>
internal static class JsonText
{
    public static string J(string apostrophed) => apostrophed.Replace('\'', '"');
}
