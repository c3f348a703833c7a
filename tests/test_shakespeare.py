"""TinyShakespeare: where input.txt is looked for (root, $TINYGRAD_NP_DATA, the user cache, the system
dataset folder, then the download URL), its SHA-256 check, the download into the cache (against a local
HTTP server on 127.0.0.1), the vocabulary and encode/decode, the windows and whole batches, the
DataLoader, and the real file when $TINYGRAD_NP_DATA holds it.

The tests write a small corpus of their own and give the class its SHA-256; HOME, $TINYGRAD_NP_DATA and
SYSTEM_DATA_DIR point into each test's tmp_path and the URL at a closed local port."""

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest
from data_files import corrupted, isolate_from_real_data, serve, write_bytes

import tinygrad_np as tg
from tinygrad_np.data import DataLoader, RandomSampler, TinyShakespeare, download

REAL_DATA = os.environ.get("TINYGRAD_NP_DATA")  # read before any test's monkeypatching
REAL_FILE = Path(REAL_DATA or "/nonexistent") / "tinyshakespeare" / "input.txt"
CORPUS = ("First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n"
          "MENENIUS:\nWhat work's, my countrymen, in hand? where go you?\n") * 12  # val: 172 characters
CONTENT = CORPUS.encode("utf-8")
NAME = "tinyshakespeare"
CUT = int(0.9 * len(CORPUS))


@pytest.fixture
def places(tmp_path, monkeypatch):
    """The folders looked in, all under tmp_path: {"root", "env", "cache", "system"}; the corpus is the
    one whose SHA-256 the class expects."""
    home = isolate_from_real_data(tmp_path, monkeypatch)
    monkeypatch.setattr(TinyShakespeare, "sha256", hashlib.sha256(CONTENT).hexdigest())
    return {"root": tmp_path / "root", "env": tmp_path / "env", "cache": home / ".cache" / "tinygrad_np",
            "system": tmp_path / "system"}


@pytest.fixture
def corpus(places):
    """The test corpus in root/; the training split with blocks of 8."""
    write_bytes(places["root"] / "input.txt", CONTENT)
    return TinyShakespeare(root=places["root"], block_size=8)


def put(folder: Path, content: bytes = CONTENT) -> Path:
    return write_bytes(folder / "input.txt", content)


# ================================================================================================ lookup


def test_the_file_in_root_itself_is_found(places):
    put(places["root"])
    assert TinyShakespeare(root=places["root"]).folder == places["root"]


def test_the_file_in_root_tinyshakespeare_is_found(places):
    put(places["root"] / NAME)
    assert TinyShakespeare(root=places["root"]).folder == places["root"] / NAME


def test_the_environment_variable_folder_is_found(places, monkeypatch):
    monkeypatch.setenv("TINYGRAD_NP_DATA", str(places["env"]))
    put(places["env"] / NAME)
    assert TinyShakespeare().folder == places["env"] / NAME


def test_the_user_cache_is_found(places):
    put(places["cache"] / NAME)
    assert TinyShakespeare().folder == places["cache"] / NAME


def test_the_system_dataset_folder_is_found(places):
    put(places["system"] / NAME)
    assert TinyShakespeare().folder == places["system"] / NAME


def test_each_folder_wins_over_those_after_it(places, monkeypatch):
    monkeypatch.setenv("TINYGRAD_NP_DATA", str(places["env"]))
    order = [places["root"], places["root"] / NAME, places["env"] / NAME, places["cache"] / NAME,
             places["system"] / NAME]
    for folder in order:
        put(folder)
    for folder in order:
        assert TinyShakespeare(root=places["root"]).folder == folder
        (folder / "input.txt").unlink()


def test_search_path_lists_the_folders_in_order_with_why(places, monkeypatch):
    monkeypatch.setenv("TINYGRAD_NP_DATA", str(places["env"]))
    put(places["root"])
    assert TinyShakespeare(root=places["root"]).search_path() == [
        (places["root"], "root argument"),
        (places["root"] / NAME, "root argument"),
        (places["env"] / NAME, "$TINYGRAD_NP_DATA"),
        (places["cache"] / NAME, "user cache"),
        (places["system"] / NAME, "system datasets"),
    ]


def test_not_found_raises_dataset_not_found_error_listing_the_folders(places):
    with pytest.raises(tg.DatasetNotFoundError) as caught:
        TinyShakespeare(root=places["root"])
    message = str(caught.value)
    assert isinstance(caught.value, FileNotFoundError)
    assert "Tiny Shakespeare (input.txt) not found" in message
    for folder in (places["root"], places["root"] / NAME, places["cache"] / NAME, places["system"] / NAME):
        assert f"  - {folder} (" in message
    assert "$TINYGRAD_NP_DATA/tinyshakespeare (not set)" in message
    assert "not attempted (download=False)" in message
    assert f"or download them from {TinyShakespeare.mirrors[0]} into {places['cache'] / NAME}/" in message


def test_the_default_url_is_the_char_rnn_repositorys_raw_file():
    assert f"{TinyShakespeare.mirrors[0]}{TinyShakespeare.filename}" == (
        "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt")
    assert TinyShakespeare.sha256 == "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"


# ================================================================================================ checksum


def test_a_file_with_the_wrong_checksum_is_refused_naming_it_and_the_fix(places):
    bad = put(places["root"], corrupted(CONTENT))
    with pytest.raises(tg.DatasetError) as caught:
        TinyShakespeare(root=places["root"])
    message = str(caught.value)
    assert not isinstance(caught.value, tg.DatasetNotFoundError)
    assert str(bad) in message and "checksum mismatch" in message and "SHA-256" in message
    assert "delete it and run again with download=True" in message


def test_a_corrupt_file_is_an_error_even_when_a_later_folder_has_a_good_one(places):
    put(places["root"], CONTENT[:-1])
    put(places["cache"] / NAME)
    with pytest.raises(tg.DatasetError, match="checksum mismatch"):
        TinyShakespeare(root=places["root"])


def test_a_file_that_is_not_utf8_is_refused(places, monkeypatch):
    content = b"caf\xe9 " * 20
    monkeypatch.setattr(TinyShakespeare, "sha256", hashlib.sha256(content).hexdigest())
    put(places["root"], content)
    with pytest.raises(tg.DatasetError, match="not UTF-8"):
        TinyShakespeare(root=places["root"])


# ================================================================================================ download


def served(places) -> Path:
    return put(places["root"].parent / "served").parent


def use_url(monkeypatch, server) -> None:
    monkeypatch.setattr(TinyShakespeare, "mirrors", (server.url,))


def test_download_puts_the_file_in_the_user_cache_and_reads_it(places, monkeypatch):
    with serve(served(places)) as server:
        use_url(monkeypatch, server)
        dataset = TinyShakespeare(download=True)
    assert dataset.folder == places["cache"] / NAME
    assert (places["cache"] / NAME / "input.txt").read_bytes() == CONTENT
    assert dataset.text == CORPUS[:CUT]


def test_a_file_already_in_the_cache_is_not_downloaded_again(places, monkeypatch):
    with serve(served(places)) as server:
        use_url(monkeypatch, server)
        TinyShakespeare(download=True)
        TinyShakespeare(split="val", download=True)
    assert server.requests == ["input.txt"]


def test_download_false_does_not_ask_the_server(places, monkeypatch):
    with serve(served(places)) as server:
        use_url(monkeypatch, server)
        with pytest.raises(tg.DatasetNotFoundError):
            TinyShakespeare(download=False)
    assert server.requests == []


@pytest.mark.parametrize("fault", ["corrupt", "truncate", "missing"])
def test_a_failed_download_leaves_nothing_in_the_cache_and_says_why(places, monkeypatch, fault):
    with serve(served(places), **{fault: {"input.txt"}}) as server:
        use_url(monkeypatch, server)
        with pytest.raises(tg.DatasetNotFoundError) as caught:
            TinyShakespeare(download=True)
    folder = places["cache"] / NAME
    assert not folder.exists() or list(folder.iterdir()) == []  # no input.txt and no temporary file
    message = str(caught.value)
    assert f"{server.url}input.txt: " in message
    if fault == "corrupt":
        assert "checksum mismatch (SHA-256" in message


def test_download_checks_a_sha256(tmp_path):
    source = put(tmp_path / "served")
    with serve(source.parent) as server:
        download(f"{server.url}input.txt", tmp_path / "ok.txt", sha256=hashlib.sha256(CONTENT).hexdigest())
        with pytest.raises(tg.DatasetError, match="SHA-256"):
            download(f"{server.url}input.txt", tmp_path / "bad.txt", sha256="0" * 64)
    assert (tmp_path / "ok.txt").read_bytes() == CONTENT
    assert not (tmp_path / "bad.txt").exists()


@pytest.mark.parametrize("checksums", [{}, {"md5": "0" * 32, "sha256": "0" * 64}], ids=["neither", "both"])
def test_download_needs_exactly_one_checksum(tmp_path, checksums):
    with pytest.raises(ValueError, match="exactly one checksum"):
        download("http://127.0.0.1:1/input.txt", tmp_path / "file", **checksums)


# ================================================================================================ text


def test_the_vocabulary_is_the_sorted_characters_of_the_whole_file(places, corpus):
    assert corpus.chars == sorted(set(CORPUS))
    assert corpus.vocab_size == len(set(CORPUS))
    assert TinyShakespeare(root=places["root"], split="val", block_size=8).chars == corpus.chars


def test_stoi_and_itos_are_inverse_maps_of_the_vocabulary(corpus):
    assert corpus.stoi == {char: index for index, char in enumerate(corpus.chars)}
    assert corpus.itos == dict(enumerate(corpus.chars))


def test_encode_then_decode_gives_the_text_back(corpus):
    codes = corpus.encode(CORPUS)
    assert codes == [corpus.chars.index(char) for char in CORPUS]
    assert corpus.decode(codes) == CORPUS


def test_decode_takes_a_1d_integer_tensor(corpus):
    assert corpus.decode(tg.tensor(corpus.encode("hear me"))) == "hear me"
    assert corpus.decode([]) == ""


def test_encode_refuses_a_character_outside_the_vocabulary(corpus):
    with pytest.raises(KeyError, match="'Z' is not in the"):
        corpus.encode("Zounds")


@pytest.mark.parametrize("index", [-1, "size"])
def test_decode_refuses_an_index_outside_the_vocabulary(corpus, index):
    index = corpus.vocab_size if index == "size" else index
    with pytest.raises(KeyError, match=f"index {index} is not in the vocabulary"):
        corpus.decode([0, index])


@pytest.mark.parametrize("indices", [np.zeros((2, 2), np.int64), np.zeros(3, np.float32)], ids=["2-D", "float"])
def test_decode_refuses_what_is_not_a_1d_integer_sequence(corpus, indices):
    with pytest.raises(ValueError, match="1-D sequence of integer indices"):
        corpus.decode(tg.tensor(indices))


# ================================================================================================ splits


def test_train_is_the_first_ninety_percent_and_val_the_rest(places, corpus):
    val = TinyShakespeare(root=places["root"], split="val", block_size=8)
    assert corpus.text == CORPUS[:CUT] and val.text == CORPUS[CUT:]
    assert corpus.data.dtype == tg.int64
    np.testing.assert_array_equal(corpus.data.numpy(), corpus.encode(corpus.text))
    np.testing.assert_array_equal(val.data.numpy(), corpus.encode(val.text))


def test_train_fraction_moves_the_cut(places, corpus):
    half = TinyShakespeare(root=places["root"], block_size=8, train_fraction=0.5)
    assert half.text == CORPUS[: len(CORPUS) // 2]


@pytest.mark.parametrize(
    "arguments, error, match",
    [
        ({"split": "test"}, ValueError, "no separate test part"),
        ({"train_fraction": 0.0}, ValueError, r"train_fraction must lie in \(0, 1\)"),
        ({"train_fraction": 1.0}, ValueError, r"train_fraction must lie in \(0, 1\)"),
        ({"train_fraction": "0.9"}, TypeError, "train_fraction must be a number"),
        ({"block_size": 0}, ValueError, "block_size must lie in"),
        ({"block_size": len(CORPUS) - CUT, "split": "val"}, ValueError, "block_size must lie in"),
        ({"block_size": 8.0}, TypeError, "block_size must be an int"),
    ],
)
def test_bad_arguments_are_refused(places, arguments, error, match):
    put(places["root"])
    with pytest.raises(error, match=match):
        TinyShakespeare(root=places["root"], **arguments)


def test_the_longest_block_leaves_one_sample(places):
    put(places["root"])
    dataset = TinyShakespeare(root=places["root"], split="val", block_size=len(CORPUS) - CUT - 1)
    assert len(dataset) == 1


# ================================================================================================ samples


def test_len_is_the_number_of_windows_with_a_next_character(corpus):
    assert len(corpus) == CUT - 8


def test_sample_i_is_the_window_at_i_and_the_window_after_it(corpus):
    data = corpus.data.numpy()
    for i in (0, 1, len(corpus) - 1):
        x, y = corpus[i]
        assert x.dtype == tg.int64 and y.dtype == tg.int64
        np.testing.assert_array_equal(x.numpy(), data[i : i + 8])
        np.testing.assert_array_equal(y.numpy(), data[i + 1 : i + 9])


def test_negative_indices_count_from_the_end(corpus):
    np.testing.assert_array_equal(corpus[-1][0].numpy(), corpus[len(corpus) - 1][0].numpy())


@pytest.mark.parametrize("index", ["len", "-len-1"])
def test_an_index_out_of_range_raises_index_error(corpus, index):
    with pytest.raises(IndexError):
        corpus[len(corpus) if index == "len" else -len(corpus) - 1]


def test_iterating_a_dataset_stops_after_the_last_sample(places):
    put(places["root"])
    dataset = TinyShakespeare(root=places["root"], split="val", block_size=len(CORPUS) - CUT - 3)
    assert len(list(dataset)) == len(dataset) == 3


def test_samples_are_copies_not_views_of_the_data(corpus):
    x, _ = corpus[0]
    x.numpy()[:] = 0
    assert corpus.data.numpy()[:8].tolist() == corpus.encode(corpus.text[:8])


@pytest.mark.parametrize(
    "index",
    [np.array([3, 0, -1, 3, 17]), slice(2, 9, 3), slice(None, -4, -5), np.array([], np.int64)],
    ids=["array", "slice", "reversed slice", "empty"],
)
def test_get_batch_equals_the_samples_stacked(corpus, index):
    x, y = corpus.get_batch(index)
    positions = np.arange(len(corpus))[index]
    assert x.dtype == tg.int64 and tuple(x.shape) == (len(positions), 8)
    np.testing.assert_array_equal(x.numpy(), np.array([corpus[i][0].numpy() for i in positions]).reshape(-1, 8))
    np.testing.assert_array_equal(y.numpy(), np.array([corpus[i][1].numpy() for i in positions]).reshape(-1, 8))


def test_get_batch_refuses_an_index_out_of_range(corpus):
    with pytest.raises(IndexError):
        corpus.get_batch(np.array([0, len(corpus)]))


def test_the_dataloader_batches_equal_the_samples_stacked(corpus):
    batches = list(DataLoader(corpus, batch_size=50))
    x = np.concatenate([x.numpy() for x, _ in batches])
    np.testing.assert_array_equal(x, np.array([corpus[i][0].numpy() for i in range(len(corpus))]))


def test_the_dataloader_makes_random_windows_with_get_batch_alone(corpus, monkeypatch):
    def per_sample(self, index):
        raise AssertionError("the DataLoader read a sample; get_batch should have made the batch")

    monkeypatch.setattr(TinyShakespeare, "__getitem__", per_sample)
    sampler = RandomSampler(corpus, replacement=True, num_samples=36, generator=tg.Generator().manual_seed(0))
    batches = list(DataLoader(corpus, batch_size=12, sampler=sampler))
    assert [tuple(x.shape) for x, _ in batches] == [(12, 8)] * 3
    for x, y in batches:
        np.testing.assert_array_equal(x.numpy()[:, 1:], y.numpy()[:, :-1])
        assert all(corpus.decode(row) in corpus.text for row in y)


def test_repr_names_the_split_the_block_size_and_the_folder(corpus, places):
    text = repr(corpus)
    assert "TinyShakespeare" in text and "Split: train" in text and "Block size: 8" in text
    assert f"Number of datapoints: {len(corpus)}" in text and str(places["root"]) in text


# ================================================================================================ real file


@pytest.mark.skipif(not REAL_FILE.is_file(), reason="set TINYGRAD_NP_DATA to a folder holding tinyshakespeare/")
def test_the_real_file_has_the_char_rnn_corpus_sizes_and_vocabulary():
    train = TinyShakespeare(root=REAL_FILE.parent)
    val = TinyShakespeare(root=REAL_FILE.parent, split="val")
    assert len(train.text) + len(val.text) == 1_115_394
    assert (len(train.data), len(val.data)) == (1_003_854, 111_540)
    assert train.vocab_size == val.vocab_size == 65 and train.chars[:2] == ["\n", " "]
    assert len(train) == 1_003_854 - 64
    assert train.decode(train[0][0]) == train.text[:64] and train.text.startswith("First Citizen:\n")
