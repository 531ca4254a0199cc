using System.Buffers.Binary;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Transport.Numerics.IO;

namespace Transport.Numerics.Tests.IO;

public sealed class NpyArrayTests : IDisposable
{
    private const string Field = "source";
    private readonly string directory = Path.Combine(Path.GetTempPath(), "npy-tests-" + Guid.NewGuid().ToString("N"));

    public NpyArrayTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Float64_2D_round_trip_is_bit_exact()
    {
        double[] data = [0.1, -0.0, double.NaN, double.PositiveInfinity, 1e-310, -123456.789];
        var path = Path.Combine(directory, "a.npy");
        NpyArray.WriteFloat64(path, data, 3, 2);

        var read = NpyArray.Read(path, Field);

        Assert.Equal(new[] { 3, 2 }, read.Shape);
        Assert.Equal(NpyDataType.Float64, read.SourceType);
        Assert.Equal(data.Select(BitConverter.DoubleToInt64Bits), read.Data.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Float32_1D_round_trip_rounds_to_nearest_float()
    {
        double[] data = [0.5, -1.25, 3, 0.1, double.NaN];
        var path = Path.Combine(directory, "b.npy");
        NpyArray.WriteFloat32(path, data, data.Length);

        var read = NpyArray.Read(path, Field);

        Assert.Equal(new[] { 5 }, read.Shape);
        Assert.Equal(NpyDataType.Float32, read.SourceType);
        Assert.Equal([0.5, -1.25, 3, (double)0.1f], read.Data[..4]);
        Assert.True(double.IsNaN(read.Data[4]));
        Assert.Equal(20, new FileInfo(path).Length - DataOffset(File.ReadAllBytes(path)));
    }

    [Fact]
    public void Float32_2D_and_float64_1D_round_trip()
    {
        var path32 = Path.Combine(directory, "c.npy");
        NpyArray.WriteFloat32(path32, [1, 2, 3, 4, 5, 6], 2, 3);
        var read32 = NpyArray.Read(path32, Field);
        Assert.Equal(new[] { 2, 3 }, read32.Shape);
        Assert.Equal([1, 2, 3, 4, 5, 6], read32.Data);

        var path64 = Path.Combine(directory, "d.npy");
        NpyArray.WriteFloat64(path64, [Math.PI], 1);
        var read64 = NpyArray.Read(path64, Field);
        Assert.Equal(new[] { 1 }, read64.Shape);
        Assert.Equal(Math.PI, read64.Data[0]);
    }

    [Fact]
    public void Written_header_follows_the_NumPy_1_0_layout_with_64_byte_alignment()
    {
        var path = Path.Combine(directory, "h.npy");
        NpyArray.WriteFloat64(path, [1, 2, 3, 4, 5, 6], 3, 2);
        AssertNumPyHeader(File.ReadAllBytes(path), "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", 48);

        NpyArray.WriteFloat32(path, [1, 2, 3], 3);
        AssertNumPyHeader(File.ReadAllBytes(path), "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 12);
    }

    [Fact]
    public void Empty_array_round_trips()
    {
        var path = Path.Combine(directory, "e.npy");
        NpyArray.WriteFloat64(path, [], 0, 3);
        var read = NpyArray.Read(path, Field);
        Assert.Equal(new[] { 0, 3 }, read.Shape);
        Assert.Empty(read.Data);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Reads_hand_assembled_files_of_each_format_version(int major)
    {
        // Built byte by byte from the format spec (numpy.lib.format): magic, version, header length
        // (uint16 for 1.0, uint32 for 2.0/3.0), the dict padded with spaces and ended by '\n'.
        var payload = new byte[6 * 8];
        double[] values = [1.5, -2, 3.25, 4, 5e-3, -6e10];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(payload.AsSpan(i * 8), values[i]);
        }

        var bytes = Assemble(major, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", payload);

        var read = NpyArray.Read(new MemoryStream(bytes), Field);

        Assert.Equal(new[] { 2, 3 }, read.Shape);
        Assert.Equal(values, read.Data);
    }

    [Fact]
    public void Reads_header_with_double_quotes_extra_spaces_and_no_trailing_comma()
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteSingleLittleEndian(payload, 1.5f);
        BinaryPrimitives.WriteSingleLittleEndian(payload.AsSpan(4), -0.25f);
        var bytes = Assemble(1, "{ \"shape\" : ( 2 , ) ,\"fortran_order\":False, \"descr\":\"<f4\"}", payload);

        var read = NpyArray.Read(new MemoryStream(bytes), Field);

        Assert.Equal(new[] { 2 }, read.Shape);
        Assert.Equal([1.5, -0.25], read.Data);
        Assert.Equal(NpyDataType.Float32, read.SourceType);
    }

    [Fact]
    public void Missing_file_names_the_path()
    {
        var path = Path.Combine(directory, "missing.npy");
        var ex = Assert.Throws<InvalidInputException>(() => NpyArray.Read(path, Field));
        Assert.Equal(Field, ex.Field);
        Assert.Contains($"file not found: {path}", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[], string> MalformedFiles()
    {
        var good = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
        var data = new byte[48];
        var data1d = new byte[16];
        var truncatedHeader = Assemble(1, good, data)[..30];
        var wrongVersion = Assemble(1, good, data);
        wrongVersion[6] = 4;
        var hugeLength = Assemble(2, good, data);
        BinaryPrimitives.WriteUInt32LittleEndian(hugeLength.AsSpan(8), 50_000_000);
        return new TheoryData<string, byte[], string>
        {
            { "bad magic", [.. "PK\u0003\u0004 not numpy"u8], "bad magic" },
            { "empty file", [], "bad magic" },
            { "wrong version", wrongVersion, "version 4.0" },
            { "truncated header length", [0x93, .. "NUMPY"u8, 1, 0, 0x40], "truncated header" },
            { "truncated header", truncatedHeader, "truncated header: expected" },
            { "implausible header length", hugeLength, "50000000" },
            { "truncated data", Assemble(1, good, data[..40]), "expected 48 bytes" },
            { "truncated data names the bytes got", Assemble(1, good, data[..40]), "got 40" },
            { "int64 dtype", Assemble(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", data1d), "'<i8'" },
            { "big-endian dtype", Assemble(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", data1d), "'>f8'" },
            { "structured dtype", Assemble(1, "{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (2,), }", data1d), "structured" },
            { "fortran order", Assemble(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", data), "fortran_order True" },
            { "0-D shape", Assemble(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", data1d), "0-D array (shape ())" },
            { "3-D shape", Assemble(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2, 3), }", data), "3-D array (shape (1, 2, 3))" },
            { "missing key", Assemble(1, "{'descr': '<f8', 'fortran_order': False, }", data), "missing key 'shape'" },
            { "unknown key", Assemble(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (6,), 'x': 1}", data), "unexpected key 'x'" },
            { "not a dict", Assemble(1, "['descr', '<f8']", data), "malformed .npy header: expected '{'" },
            { "bad boolean", Assemble(1, "{'descr': '<f8', 'fortran_order': 0, 'shape': (6,), }", data), "expected True or False" },
            { "negative dimension", Assemble(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-6,), }", data), "expected a non-negative integer" },
            { "unterminated dict", Assemble(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (6,)", data), "malformed .npy header" },
            { "unterminated string", Assemble(1, "{'descr: <f8", data), "unterminated string" },
            { "text after dict", Assemble(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (6,), } junk", data), "'junk'" },
            { "invalid UTF-8 in 3.0 header", Assemble(3, "{'descr': '\u00ff', 'fortran_order': False, 'shape': (6,), }", data, latin1: true), "invalid UTF-8" },
        };
    }

    [Fact]
    public void A_header_claiming_far_more_rows_than_the_file_holds_is_refused_before_the_rows_are_allocated()
    {
        // 2e8 x 2 float64 values (3.2 GB) declared, 16 bytes present.
        var path = Path.Combine(directory, "claims.npy");
        File.WriteAllBytes(path, Assemble(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (200000000, 2), }", new byte[16]));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<InvalidInputException>(() => NpyArray.Read(path, Field));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("truncated data: expected 3200000000 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("got 16", ex.Message, StringComparison.Ordinal);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated before the refusal");
    }

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Malformed_file_raises_InvalidInputException_naming_field_and_value(string description, byte[] bytes, string expected)
    {
        var ex = Assert.Throws<InvalidInputException>(() => NpyArray.Read(new MemoryStream(bytes), Field));
        Assert.Equal(Field, ex.Field);
        Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), $"{description}: message '{ex.Message}' lacks '{expected}'");

        // The same failure through the file-based entry point.
        var path = Path.Combine(directory, "bad.npy");
        File.WriteAllBytes(path, bytes);
        var fromFile = Assert.Throws<InvalidInputException>(() => NpyArray.Read(path, "target-weights"));
        Assert.Equal("target-weights", fromFile.Field);
    }

    [Fact]
    public void Stream_failure_is_reported_as_InvalidInputException()
    {
        var stream = new MemoryStream([0x93, .. "NUMPY"u8]);
        stream.Dispose();
        var ex = Assert.Throws<InvalidInputException>(() => NpyArray.Read(stream, Field));
        Assert.Equal(Field, ex.Field);
    }

    [Fact]
    public void Failed_write_leaves_no_file_and_keeps_the_previous_one()
    {
        var path = Path.Combine(directory, "keep.npy");
        NpyArray.WriteFloat64(path, [1, 2], 2);
        var before = File.ReadAllBytes(path);

        var shape = Assert.Throws<InvalidInputException>(() => NpyArray.WriteFloat64(path, [1, 2, 3], 2, 2));
        Assert.Equal("output", shape.Field);
        Assert.Contains("(2, 2) holds 4 values but 3 were given", shape.Message, StringComparison.Ordinal);
        var rank = Assert.Throws<InvalidInputException>(() => NpyArray.WriteFloat64(path, [1, 2], 1, 1, 1, 2));
        Assert.Contains("4 dimensions", rank.Message, StringComparison.Ordinal);

        var elsewhere = Path.Combine(directory, "no-such-dir", "x.npy");
        var io = Assert.Throws<InvalidInputException>(() => NpyArray.Write(elsewhere, [1.0], [1], NpyDataType.Float64, "result"));
        Assert.Equal("result", io.Field);
        Assert.Contains("no-such-dir", io.Message, StringComparison.Ordinal);

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { "keep.npy" }, Directory.GetFiles(directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Matrix_and_vector_views_follow_the_shape()
    {
        var vector = new NpyArray([1, 2, 3], [3], NpyDataType.Float64);
        Assert.Equal((vector.Data, 3, 1), vector.AsMatrix("source"));
        Assert.Same(vector.Data, vector.AsVector("source-weights"));

        var column = new NpyArray([1, 2, 3], [3, 1], NpyDataType.Float64);
        Assert.Same(column.Data, column.AsVector("source-weights"));

        var matrix = new NpyArray([1, 2, 3, 4, 5, 6], [3, 2], NpyDataType.Float64);
        Assert.Equal((matrix.Data, 3, 2), matrix.AsMatrix("source"));
        var ex = Assert.Throws<InvalidInputException>(() => matrix.AsVector("source-weights"));
        Assert.Equal("source-weights", ex.Field);
        Assert.Contains("(3, 2)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Interop_with_numpy_or_header_bytes_when_numpy_is_absent()
    {
        var ours = Path.Combine(directory, "ours.npy");
        NpyArray.WriteFloat64(ours, [1.5, -2, 0.1, 4], 2, 2);
        var theirs = Path.Combine(directory, "theirs.npy");

        var script =
            "import numpy as np, sys\n" +
            "a = np.load(sys.argv[1])\n" +
            "assert a.dtype == np.float64 and a.shape == (2, 2) and a.flags['C_CONTIGUOUS'], (a.dtype, a.shape)\n" +
            "assert a.tolist() == [[1.5, -2.0], [0.1, 4.0]], a.tolist()\n" +
            "np.save(sys.argv[2], np.arange(6, dtype='<f4').reshape(3, 2) / 4)\n";
        if (RunPython(script, ours, theirs))
        {
            var read = NpyArray.Read(theirs, Field);
            Assert.Equal(new[] { 3, 2 }, read.Shape);
            Assert.Equal(NpyDataType.Float32, read.SourceType);
            Assert.Equal([0, 0.25, 0.5, 0.75, 1, 1.25], read.Data);
        }
        else
        {
            // Without numpy, check the bytes numpy would require: magic, version, a dict literal that
            // its safe_eval accepts, space padding, '\n' terminator, data aligned to 64 bytes.
            AssertNumPyHeader(File.ReadAllBytes(ours), "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", 32);
        }
    }

    private static bool RunPython(string script, params string[] arguments)
    {
        var check = new ProcessStartInfo("python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        check.ArgumentList.Add("-c");
        check.ArgumentList.Add("import numpy");
        try
        {
            using var probe = Process.Start(check)!;
            probe.WaitForExit();
            if (probe.ExitCode != 0)
            {
                return false;
            }
        }
        catch (Win32Exception)
        {
            return false;
        }

        var run = new ProcessStartInfo("python3") { RedirectStandardError = true, RedirectStandardOutput = true };
        run.ArgumentList.Add("-c");
        run.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            run.ArgumentList.Add(argument);
        }

        using var process = Process.Start(run)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "numpy rejected our file or failed: " + error);
        return true;
    }

    private static void AssertNumPyHeader(byte[] bytes, string expectedDict, int dataBytes)
    {
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        Assert.Equal(0, (10 + headerLength) % 64);
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        Assert.EndsWith("\n", header, StringComparison.Ordinal);
        Assert.Equal(expectedDict, header.TrimEnd('\n').TrimEnd(' '));
        Assert.Equal(string.Empty, header[expectedDict.Length..^1].Trim(' '));
        Assert.Equal(10 + headerLength + dataBytes, bytes.Length);
    }

    private static long DataOffset(byte[] bytes) => 10 + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));

    private static byte[] Assemble(int major, string dict, byte[] payload, bool latin1 = false)
    {
        var lengthSize = major == 1 ? 2 : 4;
        var prefix = 6 + 2 + lengthSize;
        var encoding = major == 3 && !latin1 ? Encoding.UTF8 : Encoding.Latin1;
        var text = encoding.GetBytes(dict);
        var total = prefix + text.Length + 1;
        var padding = (64 - (total % 64)) % 64;
        var headerLength = text.Length + padding + 1;
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.Add((byte)major);
        bytes.Add(0);
        var length = new byte[lengthSize];
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)headerLength);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)headerLength);
        }

        bytes.AddRange(length);
        bytes.AddRange(text);
        bytes.AddRange(Enumerable.Repeat((byte)' ', padding));
        bytes.Add((byte)'\n');
        bytes.AddRange(payload);
        return [.. bytes];
    }

    [Fact]
    public void Three_dimensional_arrays_are_written_with_their_shape_and_data()
    {
        var path = Path.Combine(Path.GetTempPath(), $"npy3d-{Guid.NewGuid():N}.npy");
        try
        {
            double[] data = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
            NpyArray.WriteFloat64(path, data, 2, 3, 2);
            var bytes = File.ReadAllBytes(path);
            var headerLength = BitConverter.ToUInt16(bytes, 8);
            var header = System.Text.Encoding.ASCII.GetString(bytes, 10, headerLength);
            Assert.Contains("'shape': (2, 3, 2)", header, StringComparison.Ordinal);
            Assert.Equal(0, (10 + headerLength) % 64);
            var values = new double[12];
            Buffer.BlockCopy(bytes, 10 + headerLength, values, 0, 12 * sizeof(double));
            Assert.Equal(data, values);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
