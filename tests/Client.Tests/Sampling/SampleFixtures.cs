using System.Globalization;

namespace Transport.Client.Tests.Sampling;

/// <summary>Target descriptions and command lines shared by the <c>transport sample</c> tests.</summary>
internal static class SampleFixtures
{
    /// <summary>math.md FM-3: m = (1, -1), Sigma = [[1, .6], [.6, 1]].</summary>
    public const string GaussianJson = """{"kind": "gaussian", "mean": [1.0, -1.0], "covariance": [[1.0, 0.6], [0.6, 1.0]]}""";

    /// <summary>A three-component 2-D mixture.</summary>
    public const string MixtureJson = """
        {"kind": "mixture", "weights": [0.5, 0.3, 0.2],
         "means": [[-2.0, 0.0], [2.0, 0.0], [0.0, 2.0]],
         "covariances": [[[0.3, 0.1], [0.1, 0.2]], [[0.2, 0.0], [0.0, 0.3]], [[0.25, 0.0], [0.0, 0.1]]]}
        """;

    /// <summary>Sigma^{1/2} of FM-3 (eigenvalues 1.6 and 0.4 on (1, 1) and (1, -1)).</summary>
    public static readonly double[,] GaussianRoot =
    {
        { (Math.Sqrt(1.6) + Math.Sqrt(0.4)) / 2, (Math.Sqrt(1.6) - Math.Sqrt(0.4)) / 2 },
        { (Math.Sqrt(1.6) - Math.Sqrt(0.4)) / 2, (Math.Sqrt(1.6) + Math.Sqrt(0.4)) / 2 },
    };

    /// <summary>Writes <paramref name="json"/> as <paramref name="name"/> in the workspace input folder.</summary>
    public static string Json(Workspace work, string name, string json)
    {
        var path = work.Path2(name);
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>
    /// The command line <c>sample</c> + <paramref name="options"/> (option name without dashes, value); a null
    /// value is a flag.
    /// </summary>
    public static string[] Command(IEnumerable<KeyValuePair<string, string?>> options)
    {
        var args = new List<string> { "sample" };
        foreach (var (name, value) in options)
        {
            args.Add("--" + name);
            if (value is not null)
            {
                args.Add(value);
            }
        }

        return [.. args];
    }

    /// <summary>Row-major points in the order of a 2-D array literal.</summary>
    public static double[] Rows(params double[][] rows) => rows.SelectMany(r => r).ToArray();

    public static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Asserts that <paramref name="path"/> is a non-trivial PNG file.</summary>
    public static void AssertPng(string path)
    {
        Assert.True(File.Exists(path), $"{path} missing");
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G', $"{path} is not a PNG");
    }
}
