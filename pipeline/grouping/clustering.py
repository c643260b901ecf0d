"""The numeric half of event grouping, on scikit-learn and SciPy sparse matrices.

:mod:`pipeline.grouping.articles` turns each article into sets of features (names and numbers;
Dutch content words); this module scores and clusters them:

- **similarity**: per signal, a sparse TF-IDF matrix (scikit-learn's ``TfidfTransformer`` over
  the feature sets: binary term frequency, smoothed IDF ``ln((n+1)/(df+1)) + 1``, L2 rows),
  so the dot product of two rows is the IDF-weighted cosine the grouping documents; the two
  signals are mixed as ``weight * entities + (1 - weight) * tokens``.
- **clustering**: average linkage, merging while two clusters' average similarity is at least
  the threshold. An average never exceeds its largest part, so clusters never cross the
  connected components of the graph "similarity >= threshold" (SciPy's ``csgraph``): each
  component is clustered on its own by average linkage on the distance ``1 - similarity``
  (SciPy's ``linkage``, what scikit-learn's ``AgglomerativeClustering`` runs for average
  linkage), so a night of thousands of articles never builds the full pairwise matrix.
- **spelling variants**: outlets transliterate rare names differently ("Kaitab" and
  "Kataib" Hezbollah). Name features with the same consonant skeleton that RapidFuzz scores
  as close are one feature, so such reports still group.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz
from scipy import sparse
from scipy.cluster.hierarchy import linkage
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfTransformer

ROW_BLOCK = 2048  # rows of the similarity matrix computed at once (bounds memory)
VARIANT_MIN_LENGTH = 5  # shorter names collide too easily ("Irak", "Iran")
VARIANT_MIN_RATIO = 80.0  # RapidFuzz ratio (0-100) for two spellings of one name
_VOWELS = re.compile(r"[aeiouy]+")


@dataclass
class Cluster:
    """One cluster: member indices (ascending), cohesion and related clusters."""

    members: list[int]
    cohesion: float = 1.0  # average pairwise similarity of the members
    related: list[tuple[int, float]] | None = None  # (cluster index, best pair similarity)


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if c.isalpha())


def skeleton(word: str) -> str:
    """Consonants of a name without repeats: "Kaitab"/"Kataib" -> "ktb", "Assad" -> "sd"."""
    consonants = _VOWELS.sub("", _fold(word))
    return re.sub(r"(.)\1+", r"\1", consonants)


def spelling_variants(names: Sequence[str]) -> dict[str, str]:
    """Map each spelling variant to one representative (the first in sorted order).

    Two names are variants when they fold to the same consonant skeleton and RapidFuzz's
    ratio of their folded forms is at least :data:`VARIANT_MIN_RATIO`. Names shorter than
    :data:`VARIANT_MIN_LENGTH` letters are left alone. Only names sharing a skeleton are
    compared, so this is linear in the vocabulary for all practical purposes.
    """
    buckets: dict[str, list[str]] = defaultdict(list)
    for name in sorted(set(names)):  # sorted: the same representative in every process
        folded = _fold(name)
        if len(folded) >= VARIANT_MIN_LENGTH and not name.startswith("#"):
            key = skeleton(name)
            if len(key) >= 2:
                buckets[key].append(name)
    mapping: dict[str, str] = {}
    for bucket in buckets.values():
        for i, name in enumerate(bucket):
            if name in mapping:
                continue
            for other in bucket[i + 1:]:
                if other not in mapping and fuzz.ratio(_fold(name), _fold(other)) >= \
                        VARIANT_MIN_RATIO and _fold(name) != _fold(other):
                    mapping[other] = name
    return mapping


def merge_variants(sets: Sequence[frozenset[str]]) -> list[frozenset[str]]:
    """The feature sets with every spelling variant replaced by its representative."""
    mapping = spelling_variants([name for features in sets for name in features])
    if not mapping:
        return list(sets)
    return [frozenset(mapping.get(name, name) for name in features) for features in sets]


def tfidf_rows(sets: Sequence[frozenset[str] | set[str]]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows of feature sets (an empty set is a zero row)."""
    vocabulary: dict[str, int] = {}
    indptr, indices = [0], []
    for features in sets:
        indices.extend(vocabulary.setdefault(f, len(vocabulary)) for f in features)
        indptr.append(len(indices))
    if not vocabulary:
        return sparse.csr_matrix((len(sets), 1), dtype=np.float64)
    counts = sparse.csr_matrix((np.ones(len(indices)), np.asarray(indices, dtype=np.int64),
                                np.asarray(indptr, dtype=np.int64)),
                               shape=(len(sets), len(vocabulary)))
    return TfidfTransformer(norm="l2", smooth_idf=True).fit_transform(counts).tocsr()


def combined_rows(entity_sets, token_sets, entity_weight: float) -> sparse.csr_matrix:
    """One matrix whose row dot products are the mixed similarity of two articles.

    ``w*E·E' + (1-w)*T·T'`` equals the dot product of ``[sqrt(w)E, sqrt(1-w)T]`` rows.
    """
    entity = tfidf_rows(entity_sets) * np.sqrt(entity_weight)
    token = tfidf_rows(token_sets) * np.sqrt(1.0 - entity_weight)
    return sparse.hstack([entity, token], format="csr")


def similarity_dense(rows: sparse.csr_matrix) -> np.ndarray:
    """The full pairwise similarity matrix (1 on the diagonal of non-empty rows)."""
    sims = (rows @ rows.T).toarray()
    np.clip(sims, 0.0, 1.0, out=sims)
    return sims


def edges(rows: sparse.csr_matrix, floor: float) -> sparse.coo_matrix:
    """Every off-diagonal pair with similarity >= ``floor``.

    The product is taken :data:`ROW_BLOCK` rows at a time in single precision (ample for
    thresholds given to two decimals) and each block is filtered at once, so memory stays
    bounded even when the night's common words make the full product dense.
    """
    n = rows.shape[0]
    rows32 = rows.astype(np.float32)
    transposed = rows32.T.tocsr()
    found_rows, found_cols, found_data = [], [], []
    for start in range(0, n, ROW_BLOCK):
        block = rows32[start:start + ROW_BLOCK] @ transposed
        kept = np.flatnonzero(block.data >= floor - 1e-6)
        row_of = np.searchsorted(block.indptr, kept, side="right") - 1 + start
        cols = block.indices[kept].astype(np.int64)
        off_diagonal = row_of != cols
        found_rows.append(row_of[off_diagonal])
        found_cols.append(cols[off_diagonal])
        found_data.append(np.minimum(block.data[kept][off_diagonal].astype(np.float64), 1.0))
    return sparse.coo_matrix((np.concatenate(found_data), (np.concatenate(found_rows),
                                                           np.concatenate(found_cols))),
                             shape=(n, n))


def average_linkage(sims: np.ndarray, threshold: float) -> list[list[int]]:
    """Average-linkage clusters of a dense similarity matrix, merging while >= threshold.

    Clusters come sorted by their first member; members ascending.
    """
    sims = np.clip(np.asarray(sims, dtype=float), 0.0, 1.0)
    graph = sparse.csr_matrix(sims >= threshold - 1e-12)
    def block_of(components: list[np.ndarray]) -> list[np.ndarray]:
        return [sims[np.ix_(idx, idx)] for idx in components]

    return [members for members, _ in _components(graph, block_of, threshold)]


def _linkage_labels(block: np.ndarray, threshold: float) -> np.ndarray:
    """Flat average-linkage clusters of one component (labels 0..k-1).

    scikit-learn's ``AgglomerativeClustering(linkage="average", metric="precomputed")``
    without a connectivity graph is SciPy's ``linkage`` underneath; calling SciPy directly
    saves its per-call overhead, which dominates on the many small components of a night.
    """
    distance = 1.0 - block
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    # Keep the merges at heights <= 1 - threshold (average similarity >= threshold). Average
    # linkage never merges lower after higher, so these are a prefix of the tree; this is
    # SciPy's fcluster(criterion="distance") without its per-call validation cost.
    size = len(block)
    cluster_of = list(range(size))
    members: dict[int, list[int]] = {i: [i] for i in range(size)}
    for step, (left, right, height, _) in enumerate(tree):
        if height > 1.0 - threshold + 1e-9:
            break
        members[size + step] = members.pop(int(left)) + members.pop(int(right))
    for label, items in enumerate(members.values()):
        for item in items:
            cluster_of[item] = label
    return np.asarray(cluster_of)


def _components(graph, block_of, threshold: float) -> list[tuple[list[int], np.ndarray | None]]:
    """Clusters as ``(members, their similarity block)``, sorted by first member.

    ``block_of(components)`` returns the similarity matrix of each component's members
    (given as index arrays), all at once.
    """
    _, labels = connected_components(graph, directed=False)
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    components = [np.sort(c) for c in np.split(order, bounds)]
    linked = [c for c in components if len(c) > 1]
    blocks = dict(zip((int(c[0]) for c in linked), block_of(linked), strict=True))
    clusters: list[tuple[list[int], np.ndarray | None]] = []
    for idx in components:
        if len(idx) == 1:
            clusters.append((idx.tolist(), None))
            continue
        block = np.clip(blocks[int(idx[0])], 0.0, 1.0)
        if len(idx) == 2:  # joined by an edge >= threshold: one cluster
            clusters.append((idx.tolist(), block))
            continue
        flat = _linkage_labels(block, threshold)
        for label in np.unique(flat):
            inside = flat == label
            clusters.append((idx[inside].tolist(), block[np.ix_(inside, inside)]))
    return sorted(clusters, key=lambda item: item[0][0])


def pair_blocks(rows: sparse.csr_matrix, components: list[np.ndarray]) -> list[np.ndarray]:
    """The similarity matrix of each component, from one batched row-by-row product."""
    if not components:
        return []
    firsts, seconds = [], []
    for idx in components:
        a, b = np.triu_indices(len(idx), 1)
        firsts.append(idx[a])
        seconds.append(idx[b])
    first, second = np.concatenate(firsts), np.concatenate(seconds)
    values = np.asarray(rows[first].multiply(rows[second]).sum(axis=1)).ravel()
    blocks, offset = [], 0
    for idx in components:
        size = len(idx)
        block = np.eye(size)
        a, b = np.triu_indices(size, 1)
        block[a, b] = block[b, a] = values[offset:offset + len(a)]
        offset += len(a)
        blocks.append(block)
    return blocks


def cluster_rows(rows: sparse.csr_matrix, *, threshold: float, related_threshold: float,
                 max_related: int) -> list[Cluster]:
    """Cluster articles given their :func:`combined_rows` (see the module docstring).

    Each cluster gets its cohesion (average pairwise similarity) and up to ``max_related``
    other clusters whose closest pair of articles scores at least ``related_threshold``,
    best first.
    """
    n = rows.shape[0]
    if n == 0:
        return []
    edges_found = edges(rows, min(threshold, related_threshold))
    strong = edges_found.data >= threshold - 1e-6
    graph = sparse.coo_matrix((np.ones(int(strong.sum())), (edges_found.row[strong],
                                                            edges_found.col[strong])), shape=(n, n))

    def block_of(components: list[np.ndarray]) -> list[np.ndarray]:
        return pair_blocks(rows, components)

    clusters = []
    label = np.empty(n, dtype=np.int64)
    for ci, (members, block) in enumerate(_components(graph.tocsr(), block_of, threshold)):
        label[members] = ci
        cohesion = 1.0
        if block is not None and len(members) > 1:
            size = len(members)
            total = (block.sum() - np.trace(block)) / 2
            cohesion = round(float(total / (size * (size - 1) / 2)), 3)
        clusters.append(Cluster(members=members, cohesion=cohesion))
    _related(clusters, label, edges_found, related_threshold, max_related)
    return clusters


def _related(clusters: list[Cluster], label: np.ndarray, found, related_threshold: float,
             max_related: int) -> None:
    keep = found.data >= related_threshold - 1e-6
    a, b, score = label[found.row[keep]], label[found.col[keep]], found.data[keep]
    across = a != b
    a, b, score = a[across], b[across], score[across]
    best: dict[int, dict[int, float]] = defaultdict(dict)
    if len(a):
        # The best score per (cluster, other cluster): sort by pair then score, keep the last.
        order = np.lexsort((score, b, a))
        a, b, score = a[order], b[order], score[order]
        last = np.ones(len(a), dtype=bool)
        last[:-1] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
        for ci, cj, value in zip(a[last].tolist(), b[last].tolist(), score[last].tolist(),
                                 strict=True):
            best[ci][cj] = round(min(value, 1.0), 3)
    for ci, cluster in enumerate(clusters):
        ranked = sorted(best[ci].items(), key=lambda item: (-item[1], item[0]))
        cluster.related = ranked[:max_related]
