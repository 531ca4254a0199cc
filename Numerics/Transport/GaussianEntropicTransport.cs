using MathNet.Numerics.LinearAlgebra;
using Transport.Numerics.Geometry;

namespace Transport.Numerics.Transport;

/// <summary>
/// Closed forms of entropic optimal transport between Gaussians α = N(m_a, A) and β = N(m_b, B)
/// (math.md §3.7; [OT4ML] Prop. "Balanced entropic OT between Gaussians"; Janati, Muzellec, Peyré,
/// Cuturi, NeurIPS 2020; Mallasto, Gerolin, Minh 2021/22).
/// </summary>
/// <remarks>
/// <para>
/// Convention (math.md C1, C2): by default the cost is c = |x − y|² (the "P" convention) and the
/// regulariser is ε·KL(π | α⊗β), so OT_ε(α, β) = min_π ∫c dπ + ε KL(π | α⊗β). Methods taking a
/// <see cref="CostFunction"/> also serve c = s|x − y|² (s = ½ for the "G" convention) through the
/// exact identity OT^{s|·|²}_ε = s·OT^{|·|²}_{ε/s}; the plan for (s, ε) is the plan for (1, ε/s).
/// </para>
/// <para>
/// Means are vectors of length d; covariances d x d symmetric PSD <c>double[,]</c>. Invalid inputs
/// (non-finite entries, mismatched dimensions, asymmetric or indefinite covariances, ε not finite
/// and positive) raise <see cref="InvalidInputException"/> naming the parameter. Inputs are never
/// modified.
/// </para>
/// </remarks>
public static class GaussianEntropicTransport
{
    /// <summary>
    /// OT_ε(N(m_a, A), N(m_b, B)) = |m_a − m_b|² + tr A + tr B + Σ_i ψ_ε(σ_i), where σ_i are the singular
    /// values of A^{1/2}B^{1/2}, τ_ε(r) = (√(ε² + 16r²) − ε)/(4r) and
    /// ψ_ε(r) = −2rτ_ε(r) − (ε/2) log(1 − τ_ε(r)²) (math.md §3.7). As ε → 0 it decreases to W2².
    /// </summary>
    /// <param name="meanA">Mean m_a of the source Gaussian.</param>
    /// <param name="covarianceA">Covariance A of the source Gaussian (PSD).</param>
    /// <param name="meanB">Mean m_b of the target Gaussian.</param>
    /// <param name="covarianceB">Covariance B of the target Gaussian (PSD).</param>
    /// <param name="epsilon">Regularisation strength ε &gt; 0 for the chosen cost.</param>
    /// <param name="cost">Ground cost; <see cref="CostFunction.SquaredEuclidean"/> by default.</param>
    public static double EntropicCost(
        double[] meanA,
        double[,] covarianceA,
        double[] meanB,
        double[,] covarianceB,
        double epsilon,
        CostFunction cost = CostFunction.SquaredEuclidean)
    {
        var (shift, a, b, scale, epsilonP) = Inputs(meanA, covarianceA, meanB, covarianceB, epsilon, cost);
        return scale * EntropicCost(shift, a, b, epsilonP);
    }

    /// <summary>
    /// Debiased Sinkhorn divergence S_ε(α, β) = OT_ε(α, β) − ½OT_ε(α, α) − ½OT_ε(β, β)
    /// = |m_a − m_b|² + Σ_i ψ_ε(σ_i(A, B)) − ½Σ_i ψ_ε(λ_i(A)) − ½Σ_i ψ_ε(λ_i(B)) (math.md §3.7).
    /// It is zero for α = β and tends to W2² as ε → 0.
    /// </summary>
    /// <param name="meanA">Mean m_a of the source Gaussian.</param>
    /// <param name="covarianceA">Covariance A of the source Gaussian (PSD).</param>
    /// <param name="meanB">Mean m_b of the target Gaussian.</param>
    /// <param name="covarianceB">Covariance B of the target Gaussian (PSD).</param>
    /// <param name="epsilon">Regularisation strength ε &gt; 0 for the chosen cost.</param>
    /// <param name="cost">Ground cost; <see cref="CostFunction.SquaredEuclidean"/> by default.</param>
    public static double SinkhornDivergence(
        double[] meanA,
        double[,] covarianceA,
        double[] meanB,
        double[,] covarianceB,
        double epsilon,
        CostFunction cost = CostFunction.SquaredEuclidean)
    {
        var (shift, a, b, scale, epsilonP) = Inputs(meanA, covarianceA, meanB, covarianceB, epsilon, cost);
        var cross = CrossSingularValues(a, b).S.Sum(r => Psi(r, epsilonP));
        var selfA = GaussianMatrixFunctions.NonNegativeEigenvalues(a).Sum(r => Psi(r, epsilonP));
        var selfB = GaussianMatrixFunctions.NonNegativeEigenvalues(b).Sum(r => Psi(r, epsilonP));
        return scale * DebiasedDivergence.Combine(shift + cross, selfA, selfB);
    }

    /// <summary>
    /// Cross-covariance K_ε = A^{1/2} U diag(τ_ε(σ_i)) Vᵀ B^{1/2} of the optimal entropic plan, where
    /// A^{1/2}B^{1/2} = U diag(σ_i) Vᵀ. The plan is the Gaussian on (x, y) with covariance
    /// [[A, K_ε], [K_εᵀ, B]]; as ε → 0, K_ε tends to A M with M the Brenier map.
    /// </summary>
    /// <param name="covarianceA">Covariance A of the source Gaussian (PSD).</param>
    /// <param name="covarianceB">Covariance B of the target Gaussian (PSD).</param>
    /// <param name="epsilon">Regularisation strength ε &gt; 0 for the chosen cost.</param>
    /// <param name="cost">Ground cost; <see cref="CostFunction.SquaredEuclidean"/> by default.</param>
    public static double[,] CrossCovariance(
        double[,] covarianceA,
        double[,] covarianceB,
        double epsilon,
        CostFunction cost = CostFunction.SquaredEuclidean)
    {
        var (a, b, epsilonP) = CovarianceInputs(covarianceA, covarianceB, epsilon, cost);
        return CrossCovariance(a, b, epsilonP).ToArray();
    }

    /// <summary>
    /// Linear part L = K_εᵀA^{-1} of the entropic barycentric map T_ε(x) = E_π[y | x] = m_b + L(x − m_a).
    /// As ε → 0, L tends to the Brenier matrix M. Requires A positive definite.
    /// </summary>
    /// <param name="covarianceA">Covariance A of the source Gaussian (positive definite).</param>
    /// <param name="covarianceB">Covariance B of the target Gaussian (PSD).</param>
    /// <param name="epsilon">Regularisation strength ε &gt; 0 for the chosen cost.</param>
    /// <param name="cost">Ground cost; <see cref="CostFunction.SquaredEuclidean"/> by default.</param>
    public static double[,] BarycentricMap(
        double[,] covarianceA,
        double[,] covarianceB,
        double epsilon,
        CostFunction cost = CostFunction.SquaredEuclidean)
    {
        var (a, b, epsilonP) = CovarianceInputs(covarianceA, covarianceB, epsilon, cost);
        var inverseA = GaussianMatrixFunctions.Inverse(a, nameof(covarianceA));
        return (CrossCovariance(a, b, epsilonP).Transpose() * inverseA).ToArray();
    }

    /// <summary>
    /// Applies the entropic barycentric map: T_ε(x) = m_b + K_εᵀA^{-1}(x − m_a). Requires A positive definite.
    /// </summary>
    /// <param name="meanA">Mean m_a of the source Gaussian.</param>
    /// <param name="covarianceA">Covariance A of the source Gaussian (positive definite).</param>
    /// <param name="meanB">Mean m_b of the target Gaussian.</param>
    /// <param name="covarianceB">Covariance B of the target Gaussian (PSD).</param>
    /// <param name="epsilon">Regularisation strength ε &gt; 0 for the chosen cost.</param>
    /// <param name="x">The point to transport (length d).</param>
    /// <param name="cost">Ground cost; <see cref="CostFunction.SquaredEuclidean"/> by default.</param>
    public static double[] ApplyBarycentricMap(
        double[] meanA,
        double[,] covarianceA,
        double[] meanB,
        double[,] covarianceB,
        double epsilon,
        double[] x,
        CostFunction cost = CostFunction.SquaredEuclidean)
    {
        var (a, b, epsilonP) = CovarianceInputs(covarianceA, covarianceB, epsilon, cost);
        var ma = GaussianMatrixFunctions.Mean(meanA, nameof(meanA), a.RowCount);
        var mb = GaussianMatrixFunctions.Mean(meanB, nameof(meanB), a.RowCount);
        var point = GaussianMatrixFunctions.Mean(x, nameof(x), a.RowCount);
        var inverseA = GaussianMatrixFunctions.Inverse(a, nameof(covarianceA));
        var map = CrossCovariance(a, b, epsilonP).Transpose() * inverseA;
        return (mb + (map * (point - ma))).ToArray();
    }

    /// <summary>
    /// The regularisation strength in the |x − y|² convention equivalent to <paramref name="epsilon"/>
    /// for <paramref name="cost"/> = s|x − y|²: ε/s (so ε_P = 2ε_G, math.md C1 and C3).
    /// </summary>
    /// <param name="epsilon">Regularisation strength for <paramref name="cost"/>.</param>
    /// <param name="cost">The ground cost <paramref name="epsilon"/> refers to.</param>
    public static double SquaredEuclideanEpsilon(double epsilon, CostFunction cost) => epsilon / cost.Scale();

    /// <summary>τ_ε(r) = (√(ε² + 16r²) − ε)/(4r), evaluated as 4r/(√(ε² + 16r²) + ε) to avoid cancellation; τ_ε(0) = 0.</summary>
    internal static double Tau(double r, double epsilon) => 4 * r / (Math.Sqrt((epsilon * epsilon) + (16 * r * r)) + epsilon);

    /// <summary>
    /// ψ_ε(r) = −2rτ − (ε/2) log(1 − τ²). With q = √(ε² + 16r²), 1 − τ² = 2ε/(q + ε) exactly, which
    /// avoids the cancellation of 1 − τ² when τ → 1 (small ε).
    /// </summary>
    internal static double Psi(double r, double epsilon)
    {
        var q = Math.Sqrt((epsilon * epsilon) + (16 * r * r));
        var tau = 4 * r / (q + epsilon);
        return (-2 * r * tau) - (0.5 * epsilon * Math.Log(2 * epsilon / (q + epsilon)));
    }

    /// <summary>The σ/τ/ψ form of math.md §3.7 in the |x − y|² convention.</summary>
    internal static double EntropicCost(double meanShiftSquared, Matrix<double> a, Matrix<double> b, double epsilon) =>
        meanShiftSquared + a.Trace() + b.Trace() + CrossSingularValues(a, b).S.Sum(r => Psi(r, epsilon));

    /// <summary>
    /// Janati et al. (2020) form with σ² = ε/2: |Δm|² + tr A + tr B − tr D + dσ²(1 − log 2σ²)
    /// + σ² log det(D + σ²I), D = (4A^{1/2}BA^{1/2} + σ⁴I)^{1/2}. Computed with matrix functions and
    /// a Cholesky log-determinant, independently of the singular values used by the main form.
    /// </summary>
    internal static double EntropicCostJanati(double meanShiftSquared, Matrix<double> a, Matrix<double> b, double epsilon)
    {
        var d = a.RowCount;
        var sigma2 = epsilon / 2;
        var identity = Matrix<double>.Build.DenseIdentity(d);
        var rootA = GaussianMatrixFunctions.Sqrt(a);
        var inner = GaussianMatrixFunctions.Symmetrise(rootA * b * rootA);
        var dSigma = GaussianMatrixFunctions.Sqrt((inner * 4) + (identity * (sigma2 * sigma2)));
        var logDet = GaussianMatrixFunctions.Symmetrise(dSigma + (identity * sigma2)).Cholesky().DeterminantLn;
        return meanShiftSquared + a.Trace() + b.Trace() - dSigma.Trace()
            + (d * sigma2 * (1 - Math.Log(2 * sigma2))) + (sigma2 * logDet);
    }

    /// <summary>
    /// Mallasto et al. form: |Δm|² + tr A + tr B − (ε/2)[tr M − log det M + d log 2 − 2d],
    /// M = I + (I + (16/ε²)A^{1/2}BA^{1/2})^{1/2}.
    /// </summary>
    internal static double EntropicCostMallasto(double meanShiftSquared, Matrix<double> a, Matrix<double> b, double epsilon)
    {
        var d = a.RowCount;
        var identity = Matrix<double>.Build.DenseIdentity(d);
        var rootA = GaussianMatrixFunctions.Sqrt(a);
        var inner = GaussianMatrixFunctions.Symmetrise(rootA * b * rootA);
        var m = identity + GaussianMatrixFunctions.Sqrt(identity + (inner * (16 / (epsilon * epsilon))));
        var logDet = GaussianMatrixFunctions.Symmetrise(m).Cholesky().DeterminantLn;
        return meanShiftSquared + a.Trace() + b.Trace() - (epsilon / 2 * (m.Trace() - logDet + (d * Math.Log(2)) - (2 * d)));
    }

    internal static Matrix<double> CrossCovariance(Matrix<double> a, Matrix<double> b, double epsilon)
    {
        var rootA = GaussianMatrixFunctions.Sqrt(a);
        var rootB = GaussianMatrixFunctions.Sqrt(b);
        var svd = (rootA * rootB).Svd(computeVectors: true);
        var factors = Vector<double>.Build.Dense(svd.S.Count, i => Tau(svd.S[i], epsilon));
        return rootA * svd.U * Matrix<double>.Build.DiagonalOfDiagonalVector(factors) * svd.VT * rootB;
    }

    private static MathNet.Numerics.LinearAlgebra.Factorization.Svd<double> CrossSingularValues(Matrix<double> a, Matrix<double> b) =>
        (GaussianMatrixFunctions.Sqrt(a) * GaussianMatrixFunctions.Sqrt(b)).Svd(computeVectors: false);

    private static (double Shift, Matrix<double> A, Matrix<double> B, double Scale, double EpsilonP) Inputs(
        double[] meanA,
        double[,] covarianceA,
        double[] meanB,
        double[,] covarianceB,
        double epsilon,
        CostFunction cost)
    {
        var (a, b, epsilonP) = CovarianceInputs(covarianceA, covarianceB, epsilon, cost);
        var ma = GaussianMatrixFunctions.Mean(meanA, nameof(meanA), a.RowCount);
        var mb = GaussianMatrixFunctions.Mean(meanB, nameof(meanB), a.RowCount);
        var shift = ma - mb;
        return (shift.DotProduct(shift), a, b, cost.Scale(), epsilonP);
    }

    private static (Matrix<double> A, Matrix<double> B, double EpsilonP) CovarianceInputs(
        double[,] covarianceA,
        double[,] covarianceB,
        double epsilon,
        CostFunction cost)
    {
        GaussianMatrixFunctions.Epsilon(epsilon);
        var a = GaussianMatrixFunctions.Covariance(covarianceA, nameof(covarianceA));
        var b = GaussianMatrixFunctions.Covariance(covarianceB, nameof(covarianceB), a.RowCount);
        return (a, b, SquaredEuclideanEpsilon(epsilon, cost));
    }
}
