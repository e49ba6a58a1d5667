import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairSplitFiles } from '../../src/core/data';

test('train/dev/test in one folder form one dataset named after the folder', () => {
  assert.deepEqual(pairSplitFiles(['data/sst2/test.jsonl', 'data/sst2/train.jsonl', 'data/sst2/dev.jsonl']), [
    { name: 'sst2', dir: 'data/sst2', train: 'data/sst2/train.jsonl', dev: 'data/sst2/dev.jsonl', test: 'data/sst2/test.jsonl' },
  ]);
});

test('valid, validation and val are dev; prefixes and suffixes with - _ . are paired', () => {
  assert.deepEqual(
    pairSplitFiles(['x/imdb_train.csv', 'x/imdb-test.csv', 'x/imdb.validation.csv', 'x/train_news.jsonl', 'x/val_news.jsonl']),
    [
      { name: 'imdb', dir: 'x', train: 'x/imdb_train.csv', dev: 'x/imdb.validation.csv', test: 'x/imdb-test.csv' },
      { name: 'news', dir: 'x', train: 'x/train_news.jsonl', dev: 'x/val_news.jsonl' },
    ],
  );
  assert.deepEqual(pairSplitFiles(['a/my_train_set.tsv', 'a/my_valid_set.tsv']), [
    { name: 'my_set', dir: 'a', train: 'a/my_train_set.tsv', dev: 'a/my_valid_set.tsv' },
  ]);
});

test('split words are whole words, any case; other files are datasets of their own', () => {
  assert.deepEqual(pairSplitFiles(['d/contest.csv', 'd/attestation.json', 'd/Reviews_TRAIN.csv', 'd/reviews_Test.csv']), [
    { name: 'attestation', dir: 'd', train: 'd/attestation.json' },
    { name: 'contest', dir: 'd', train: 'd/contest.csv' },
    { name: 'Reviews', dir: 'd', train: 'd/Reviews_TRAIN.csv', test: 'd/reviews_Test.csv' },
  ]);
});

test('folders pair with folders; different folders never pair; a lone test file keeps its role', () => {
  assert.deepEqual(pairSplitFiles(['aclImdb/train', 'aclImdb/test/', 'other/test.csv']), [
    { name: 'aclImdb', dir: 'aclImdb', train: 'aclImdb/train', test: 'aclImdb/test/' },
    { name: 'other', dir: 'other', test: 'other/test.csv' },
  ]);
});

test('two files for one role split the group by extension', () => {
  assert.deepEqual(pairSplitFiles(['p/train.csv', 'p/train.jsonl', 'p/test.csv', 'p/dev.jsonl']), [
    { name: 'p', dir: 'p', train: 'p/train.csv', test: 'p/test.csv' },
    { name: 'p', dir: 'p', train: 'p/train.jsonl', dev: 'p/dev.jsonl' },
  ]);
});

test('Windows paths and names with several split words', () => {
  assert.deepEqual(pairSplitFiles(['C:\\w\\train.csv', 'C:\\w\\test.csv', 'C:\\w\\train_test_split.csv']), [
    { name: 'train_test_split', dir: 'C:\\w', train: 'C:\\w\\train_test_split.csv' },
    { name: 'w', dir: 'C:\\w', train: 'C:\\w\\train.csv', test: 'C:\\w\\test.csv' },
  ]);
  assert.deepEqual(pairSplitFiles([]), []);
});
