using Orleans.Concurrency;
using Transport.Numerics.Transport;

namespace Transport.Grains.Interfaces;

/// <summary>
/// The one shard grain of every Sinkhorn job, dense or multiscale (key: "problem/side/index"). It owns one contiguous
/// block of one uploaded cloud and, per solve (<see cref="SinkhornTerm"/>: the cross problem and the two self problems
/// of a divergence), a share of the points with their potentials and the block transform of its kept blocks
/// (<c>SinkhornShardPart</c>, the code the single-process solver runs). A dense solve keeps every block: the shard's
/// share is its uploaded rows and its keys are every point of the other cloud. A multiscale solve first sorts the cloud
/// along the Morton curve across its shards, so that each holds a range of whole leaf clusters, and installs its rows of
/// each block pattern with the keys of its kept blocks pulled from the shards holding them. Either way, before each half-step
/// it pulls the potentials it needs straight from its partner shards, so the coordinator only moves O(shards) small
/// messages. On a cross solve a source shard holds f and a target shard g; on a self solve every shard of that cloud
/// holds both potentials of its rows. Getters are interleaved so that peers can read while this shard computes.
/// </summary>
[Alias("Transport.ISinkhornShardGrain")]
public interface ISinkhornShardGrain : IGrainWithStringKey, ITrafficCountingGrain
{
    /// <summary>Resets the shard for a problem layout (drops every solve).</summary>
    [Alias("Initialize")]
    Task InitializeAsync(SinkhornShardSetup setup, CloudSide side, int index);

    /// <summary>Stores uploaded rows of this block (offset relative to the block start).</summary>
    [Alias("Load")]
    Task LoadAsync(int offset, FloatBlock positions, FloatBlock weights);

    /// <summary>The bounding box of the uploaded block (2 x d: min row, max row).</summary>
    [Alias("GetBoundingBox")]
    Task<FloatBlock> GetBoundingBoxAsync();

    /// <summary>Rows of the uploaded positions.</summary>
    [Alias("GetPositions")]
    [AlwaysInterleave]
    Task<FloatBlock> GetPositionsAsync(int offset, int count);

    /// <summary>Rows of the uploaded weights.</summary>
    [Alias("GetWeights")]
    [AlwaysInterleave]
    Task<FloatBlock> GetWeightsAsync(int offset, int count);

    /// <summary>
    /// Installs the dense form of <paramref name="term"/>: the shard's rows are its uploaded block, its keys every point
    /// of the term's other cloud (pulled from the peers that hold it), one block pair. Keeps the potentials the shard
    /// holds for the term (zero the first time). Returns the number of partner shards it pulls potentials from.
    /// </summary>
    [Alias("InstallDense")]
    Task<long> InstallDenseAsync(SinkhornTerm term);

    /// <summary>
    /// Receives bytes [offset, offset + chunk) of a serialized request of <paramref name="term"/> of
    /// <paramref name="totalBytes"/> bytes, in order: a request too large for one message, which the next call with a
    /// null message takes (<see cref="PreparePointsAsync"/>, <see cref="ExtrapolatePointsAsync"/>,
    /// <see cref="InstallPointPatternAsync"/>).
    /// </summary>
    [Alias("StageInstall")]
    Task StageInstallAsync(SinkhornTerm term, long totalBytes, long offset, byte[] chunk);

    /// <summary>
    /// Points kept on the shards (after the Morton sort of <paramref name="term"/>): takes the cluster levels above this
    /// shard's leaves (null: the request staged by <see cref="StageInstallAsync"/>) and measures the radius of its
    /// members of each of those clusters. Returns the length of the serialized reply (the radii, one array per level), read with <see cref="ReadReplyAsync"/>.
    /// </summary>
    [Alias("PreparePoints")]
    Task<long> PreparePointsAsync(SinkhornTerm term, PointLevelsMessage? levels);

    /// <summary>
    /// Puts the potential of <paramref name="role"/> on this shard's sorted points by extrapolating leaf potentials
    /// (null plan: staged); returns the kernel evaluations. A pattern installed before is dropped.
    /// </summary>
    [Alias("ExtrapolatePoints")]
    Task<long> ExtrapolatePointsAsync(SinkhornTerm term, CloudSide role, PointExtrapolationMessage? plan, double epsilon);

    /// <summary>
    /// Measures the bounds of the current potential of <paramref name="role"/> on this shard's clusters; returns the
    /// length of the serialized <see cref="PointBoundsMessage"/>, read with <see cref="ReadReplyAsync"/>.
    /// </summary>
    [Alias("MeasurePointBounds")]
    Task<long> MeasurePointBoundsAsync(SinkhornTerm term, CloudSide role);

    /// <summary>Per level, the residual maxima of this shard's shared clusters with the fitted slopes (per level, shared x d).</summary>
    [Alias("MeasureSharedResiduals")]
    Task<double[][]> MeasureSharedResidualsAsync(SinkhornTerm term, CloudSide role, double[][] sharedSlopes);

    /// <summary>
    /// Installs this shard's rows of a leaf-pair pattern on the points it holds (null: staged), pulling the keys from its
    /// partners in messages of at most <paramref name="chunkBytes"/>; keeps the potentials. Returns the partners.
    /// </summary>
    [Alias("InstallPointPattern")]
    Task<long> InstallPointPatternAsync(SinkhornTerm term, PointPatternMessage? pattern, int chunkBytes);

    /// <summary>Bytes [offset, offset + count) of the reply waiting for <paramref name="term"/> (dropped once read to its end).</summary>
    [Alias("ReadReply")]
    [AlwaysInterleave]
    Task<byte[]> ReadReplyAsync(SinkhornTerm term, long offset, int count);

    /// <summary>
    /// Sends the potential of <paramref name="role"/> (and the map) of this shard's sorted points to the shards holding
    /// their input rows, in messages of at most <paramref name="chunkBytes"/>.
    /// </summary>
    [Alias("ReturnOutputs")]
    Task ReturnOutputsAsync(SinkhornTerm term, CloudSide role, bool withMap, int chunkBytes);

    /// <summary>Receives finished values of some of this shard's input rows.</summary>
    [Alias("ReceiveOutputs")]
    [AlwaysInterleave]
    Task ReceiveOutputsAsync(SinkhornTerm term, CloudSide role, PointOutputsMessage rows);

    /// <summary>Rows of a finished solve's potential of <paramref name="role"/>, input order within this shard's block.</summary>
    [Alias("GetOutput")]
    [AlwaysInterleave]
    Task<FloatBlock> GetOutputAsync(SinkhornTerm term, CloudSide role, int offset, int count);

    /// <summary>Rows of a finished solve's barycentric map, input order within this shard's block.</summary>
    [Alias("GetOutputMap")]
    [AlwaysInterleave]
    Task<FloatBlock> GetOutputMapAsync(SinkhornTerm term, int offset, int count);

    /// <summary>
    /// Makes the potential of <paramref name="role"/> (and the map) of a dense solve of <paramref name="term"/> on this
    /// shard's uploaded rows its outputs (a multiscale job whose hierarchy could not help solved densely).
    /// </summary>
    [Alias("KeepOutputs")]
    Task KeepOutputsAsync(SinkhornTerm term, CloudSide role, bool withMap);

    /// <summary>Writes this shard's outputs of <paramref name="term"/> to grain storage (read back by a re-created shard).</summary>
    Task SaveOutputsAsync(SinkhornTerm term);

    /// <summary>
    /// Ranges of the potential of <paramref name="term"/> in <paramref name="role"/> (<see cref="CloudSide.Source"/>:
    /// f, <see cref="CloudSide.Target"/>: g) on the shard's rows, concatenated.
    /// </summary>
    [Alias("GetPotentialRanges")]
    [AlwaysInterleave]
    Task<FloatBlock> GetPotentialRangesAsync(SinkhornTerm term, CloudSide role, int[] starts, int[] counts);

    /// <summary>
    /// f &lt;- f + w (T(g) - f) on the shard's rows (or the symmetric blend of a self problem with its own g); returns
    /// &lt;a, f&gt; of its rows.
    /// </summary>
    [Alias("Update")]
    Task<SinkhornShardPartial> UpdateAsync(SinkhornTerm term, double epsilon, double weight, bool symmetric);

    /// <summary>candidate = T(f) on the shard's rows; returns the marginal report of (g, candidate).</summary>
    [Alias("Check")]
    Task<SinkhornShardPartial> CheckAsync(SinkhornTerm term, double epsilon);

    /// <summary>g &lt;- g + w (candidate - g) (or the symmetric blend with its own f); returns the bytes it pulled.</summary>
    [Alias("Commit")]
    Task<long> CommitAsync(SinkhornTerm term, double weight, bool symmetric);

    /// <summary>The transport cost share of the kept-block plan at the current g; keeps the barycentric map.</summary>
    [Alias("Finish")]
    Task<SinkhornShardPartial> FinishAsync(SinkhornTerm term, double epsilon);

    /// <summary>
    /// The barycentric map of a self solve <paramref name="term"/> on the shard's rows with the symmetric key potential
    /// (f + g) / 2 (the self map a Sinkhorn-divergence flow moves its particles with); kept as the solve's map.
    /// </summary>
    [Alias("SymmetricMap")]
    Task<SinkhornShardPartial> SymmetricMapAsync(SinkhornTerm term, double epsilon);

    /// <summary>Rows of the barycentric map of the last finish of <paramref name="term"/>.</summary>
    [Alias("GetMap")]
    Task<FloatBlock> GetMapAsync(SinkhornTerm term, int offset, int count);

    /// <summary>
    /// Starts the Morton sort of <paramref name="term"/> on this shard (the first step of <c>DistributedMortonSort</c>):
    /// codes its uploaded rows on the cube of <paramref name="box"/> (2 x d: min row, max row; the same box on every
    /// shard of the term), sorts them by (code, input index) and returns a regular sample of at most
    /// <paramref name="samples"/> of its keys. Replaces any earlier sort state of the term.
    /// </summary>
    [Alias("MortonSort")]
    Task<MortonKeys> MortonSortAsync(SinkhornTerm term, FloatBlock box, int samples);

    /// <summary>
    /// Cuts the sorted rows of <paramref name="term"/> by <paramref name="splitters"/> (one fewer than the shards of this
    /// side) and sends bucket k straight to shard k of this side (<see cref="MortonReceiveAsync"/>), in messages of at
    /// most <paramref name="chunkBytes"/> payload bytes; keeps its own bucket. Returns once every peer has its rows.
    /// </summary>
    [Alias("MortonExchange")]
    Task MortonExchangeAsync(SinkhornTerm term, MortonKeys splitters, int chunkBytes);

    /// <summary>Receives sorted rows of <paramref name="term"/> from a peer of the same side (kept apart until the next merge).</summary>
    [Alias("MortonReceive")]
    [AlwaysInterleave]
    Task MortonReceiveAsync(SinkhornTerm term, MortonRows rows);

    /// <summary>Merges the rows received and kept into the shard's sorted block of <paramref name="term"/>; returns its cell-count summary.</summary>
    [Alias("MortonMerge")]
    Task<MortonCells> MortonMergeAsync(SinkhornTerm term);

    /// <summary>Where the shard's sorted block of <paramref name="term"/> starts and ends at leaf depth <paramref name="leafDepth"/>.</summary>
    [Alias("MortonLeafEdge")]
    Task<MortonLeafEdge> MortonLeafEdgeAsync(SinkhornTerm term, int leafDepth);

    /// <summary>
    /// A move of leaf alignment: sends the first <paramref name="count"/> sorted rows of <paramref name="term"/> to shard
    /// <paramref name="receiver"/> of this side (in messages of at most <paramref name="chunkBytes"/> payload bytes) and drops them.
    /// </summary>
    [Alias("MortonAlign")]
    Task MortonAlignAsync(SinkhornTerm term, int receiver, int count, int chunkBytes);

    /// <summary>
    /// Merges what alignment brought in and summarises the leaves (cells of depth <paramref name="leafDepth"/>) of the
    /// shard's sorted block of <paramref name="term"/>; returns their number.
    /// </summary>
    [Alias("MortonLeaves")]
    Task<int> MortonLeavesAsync(SinkhornTerm term, int leafDepth);

    /// <summary>Leaf summaries [offset, offset + count) of the last <see cref="MortonLeavesAsync"/> of <paramref name="term"/>.</summary>
    [Alias("GetMortonLeaves")]
    [AlwaysInterleave]
    Task<MortonLeafChunk> GetMortonLeavesAsync(SinkhornTerm term, int offset, int count);

    /// <summary>Rows [offset, offset + count) of the shard's sorted block of <paramref name="term"/>.</summary>
    [Alias("GetMortonRows")]
    [AlwaysInterleave]
    Task<MortonRows> GetMortonRowsAsync(SinkhornTerm term, int offset, int count);

    /// <summary>Drops the Morton sort state of <paramref name="term"/>.</summary>
    [Alias("ReleaseMortonSort")]
    Task ReleaseMortonSortAsync(SinkhornTerm term);

    /// <summary>
    /// A warm start of a multiscale solve of <paramref name="term"/> on its sorted points: the shard pulls the
    /// <paramref name="role"/> potential of every point it holds from the outputs of solve <paramref name="from"/> that
    /// the shards of the points' input rows hold (requests and replies of at most <paramref name="chunkBytes"/> bytes),
    /// balanced as the solve's outputs are served: f - <paramref name="shift"/>, g + <paramref name="shift"/>.
    /// </summary>
    [Alias("StartPoints")]
    Task StartPointsAsync(SinkhornTerm term, CloudSide role, SinkhornTerm from, double shift, int chunkBytes);

    /// <summary>The <paramref name="role"/> potential of the outputs of <paramref name="term"/> at input rows <paramref name="rows"/> of this shard.</summary>
    [Alias("GetOutputRows")]
    [AlwaysInterleave]
    Task<FloatBlock> GetOutputRowsAsync(SinkhornTerm term, CloudSide role, int[] rows);

    /// <summary>
    /// The next dense install of <paramref name="term"/> starts from the outputs of <paramref name="term"/> this shard
    /// holds (a warm solve whose previous run was multiscale), not from zero: f - <paramref name="shift"/>, g + <paramref name="shift"/>.
    /// </summary>
    [Alias("SeedFromOutputs")]
    Task SeedFromOutputsAsync(SinkhornTerm term, double shift);

    /// <summary>Writes the outputs of <paramref name="term"/> (potentials and map on the input rows) to checkpoint slot <paramref name="slot"/>.</summary>
    [Alias("SaveOutputsCheckpoint")]
    Task<ShardSeal> SaveOutputsCheckpointAsync(SinkhornTerm term, int slot);

    /// <summary>Replaces the outputs of <paramref name="term"/> by those of checkpoint slot <paramref name="slot"/>.</summary>
    [Alias("LoadOutputsCheckpoint")]
    Task LoadOutputsCheckpointAsync(SinkhornTerm term, int slot);

    /// <summary>Drops the state of <paramref name="term"/> (its points, potentials, map).</summary>
    [Alias("Release")]
    Task ReleaseAsync(SinkhornTerm term);

    /// <summary>Drops everything the shard holds and deactivates it (the job is released).</summary>
    [Alias("ReleaseShard")]
    Task ReleaseShardAsync();

    /// <summary>
    /// Writes the uploaded block (and where it sits in the job) to the cluster's grain storage, so that the shard can
    /// be rebuilt on another silo if its own dies; returns its row count and mass.
    /// </summary>
    [Alias("Seal")]
    Task<ShardSeal> SealAsync();

    /// <summary>
    /// Makes sure the block is here: an activation that lost it (its silo died, it was re-created elsewhere) reads it
    /// back from storage and checks its count and mass against what was sealed. Returns the count and mass.
    /// </summary>
    [Alias("Recover")]
    Task<ShardSeal> RecoverAsync();

    /// <summary>
    /// Writes the potentials of <paramref name="term"/> (and its map, once computed) to checkpoint slot
    /// <paramref name="slot"/>; returns the count and mass of the block it holds, checked against its seal.
    /// </summary>
    [Alias("SaveCheckpoint")]
    Task<ShardSeal> SaveCheckpointAsync(SinkhornTerm term, int slot);

    /// <summary>Replaces the potentials (and map) of the installed <paramref name="term"/> by those of checkpoint slot <paramref name="slot"/>.</summary>
    [Alias("LoadCheckpoint")]
    Task LoadCheckpointAsync(SinkhornTerm term, int slot);
}
