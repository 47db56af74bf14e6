/* SPDX-License-Identifier: MIT */
/* audit.c - a job's manifest, written as it runs; at its end signed and bundled with the export. */
#include "obscura/audit.h"

#include <archive.h>
#include <errno.h>
#include <gcrypt.h>
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libswscale/swscale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "obscura/bundle.h"
#include "obscura/error.h"
#include "obscura/fsutil.h"
#include "obscura/manifest.h"
#include "obscura/minisign.h"
#include "obscura/model.h"
#include "obscura/photo.h"
#include "obscura/recipe.h"
#include "obscura/sink.h"
#include "obscura/source.h"
#include "obscura/bundle_verify.h"
#include "obscura/utf8.h"
#include "obscura/version.h"
#include "obscura/banned.h"

struct ob_audit {
	struct ob_audit_params p;
	struct ob_manifest *m;
	char job[2 * OB_AUDIT_JOB_ID_BYTES + 1];
	char head[OB_SHA256_HEX_LEN + 1];
	struct ob_audit_facts facts;
	int width, height; /* of the input's frames: they pick a model family's variant */
	bool manifest_closed, bundle_committed, keep;
};

static void version_triplet(char *buf, size_t size, unsigned v)
{
	snprintf(buf, size, "%u.%u.%u", AV_VERSION_MAJOR(v), AV_VERSION_MINOR(v), AV_VERSION_MICRO(v));
}

/* Versions of the libraries as loaded at run time (not as compiled against). */
static json_t *libraries(void)
{
	char f[32], c[32], fl[32], u[32], s[32];

	version_triplet(f, sizeof(f), avformat_version());
	version_triplet(c, sizeof(c), avcodec_version());
	version_triplet(fl, sizeof(fl), avfilter_version());
	version_triplet(u, sizeof(u), avutil_version());
	version_triplet(s, sizeof(s), swscale_version());
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "libavformat", f, "libavcodec", c,
			 "libavfilter", fl, "libavutil", u, "libswscale", s, "libgcrypt",
			 gcry_check_version(NULL), "libarchive", archive_version_string(), "jansson",
			 jansson_version_str());
}

json_t *ob_audit_purpose(const struct ob_recipe *r)
{
	const struct ob_recipe_key *k;
	json_t *o = json_object();

	if (!o)
		return NULL;
	for (k = ob_recipe_keys; k->name; k++) {
		const char *v = (const char *)r + k->offset;

		if (strcmp(k->section, "purpose") || !v[0])
			continue;
		if (json_object_set_new(o, k->name, ob_json_bytes(v))) {
			json_decref(o);
			return NULL;
		}
	}
	if (json_object_size(o))
		return o;
	json_decref(o);
	return json_null();
}

int ob_audit_start(const struct ob_audit_params *p, struct ob_audit **out)
{
	struct ob_audit *a = calloc(1, sizeof(*a));
	unsigned char id[OB_AUDIT_JOB_ID_BYTES], rsha[OB_SHA256_LEN];
	char rhex[OB_SHA256_HEX_LEN + 1];
	json_t *argv = json_array(), *data = NULL;
	int ret;

	*out = NULL;
	if (!a || !argv) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	a->p = *p;
	snprintf(a->head, sizeof(a->head), "%s", OB_MANIFEST_GENESIS);
	if (getrandom(id, sizeof(id), 0) != (ssize_t)sizeof(id)) {
		ret = ob_err(OB_ERR_INTERNAL, "getrandom: %s", strerror(errno));
		goto out;
	}
	ob_hex_encode(id, sizeof(id), a->job);
	for (int i = 0; i < p->argc; i++)
		json_array_append_new(argv, ob_json_bytes(p->argv[i]));
	ret = ob_sha256(p->recipe->text ? p->recipe->text : "", p->recipe->text ? p->recipe->text_len : 0,
			rsha);
	if (ret)
		goto out;
	ob_hex_encode(rsha, sizeof(rsha), rhex);
	snprintf(a->facts.recipe_sha256, sizeof(a->facts.recipe_sha256), "%s", rhex);
	data = json_pack("{s:s, s:s, s:O, s:{s:o, s:s, s:o}, s:o, s:o, s:b, s:i}", "obscura", OB_VERSION,
			 "job", a->job, "argv", argv, "recipe", "path", ob_json_bytes(p->recipe->path),
			 "sha256", rhex, "text", ob_json_bytes(p->recipe->text ? p->recipe->text : ""),
			 "purpose", ob_audit_purpose(p->recipe), "libraries", libraries(), "signed", p->key != NULL, "checkpoint_frames",
			 OB_CHECKPOINT_FRAMES);
	if (data && p->key) {
		struct ob_minisign_pub pub;
		char kid[OB_MINISIGN_KEYID_LEN + 1];

		ob_minisign_key_public(p->key, &pub);
		ob_minisign_keyid_hex(pub.keynum, kid);
		json_object_set_new(data, "key_id", json_string(kid));
	}
	ret = ob_manifest_open(p->manifest, &a->m);
	if (ret)
		goto out;
	ret = ob_manifest_append_new(a->m, "start", data);
	data = NULL;
out:
	json_decref(argv);
	json_decref(data);
	if (ret)
		ob_audit_free(&a);
	*out = a;
	return ret;
}

static const char *media_type(enum AVMediaType t)
{
	const char *s = av_get_media_type_string(t);

	return s ? s : "unknown";
}

int ob_audit_input(struct ob_audit *a, const char *path, const struct AVFormatContext *fmt,
		   const struct ob_source_info *v, const struct ob_recipe *r)
{
	char hex[OB_SHA256_HEX_LEN + 1];
	json_t *streams = json_array(), *dstreams = json_array(), *dtags = json_array();
	json_t *ktags = json_array(), *data = NULL;
	const AVDictionaryEntry *e = NULL;
	uint64_t size;
	int ret;

	a->width = v->width;
	a->height = v->height;
	if (!streams || !dstreams || !dtags || !ktags) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	ret = ob_sha256_file_hex(path, OB_HASH_FILE_MAX, hex, &size);
	if (ret)
		goto out;
	snprintf(a->facts.input_sha256, sizeof(a->facts.input_sha256), "%s", hex);
	a->facts.input_size = size;
	/* Tag names only: their values are the personal data the export drops. */
	while ((e = av_dict_get(fmt->metadata, "", e, AV_DICT_IGNORE_SUFFIX))) {
		bool kept = false;

		for (size_t i = 0; i < r->n_keep_tags && !kept; i++)
			kept = !strcmp(r->keep_tags[i], e->key);
		if (kept)
			json_array_append_new(ktags, ob_json_bytes(e->key));
		else
			json_array_append_new(dtags, json_pack("{s:s, s:o}", "scope", "format", "key",
							       ob_json_bytes(e->key)));
	}
	for (unsigned i = 0; i < fmt->nb_streams; i++) {
		const AVStream *st = fmt->streams[i];
		const char *type = media_type(st->codecpar->codec_type);
		const char *codec = avcodec_get_name(st->codecpar->codec_id);
		const char *action = (int)i == v->video_index ? (a->p.analytics_only ? "analyzed" : "re-encoded") :
				     (int)i == v->audio_index ? "copied" : "dropped";

		json_array_append_new(streams, json_pack("{s:i, s:s, s:s, s:s}", "index", (int)i, "type", type,
							 "codec", codec, "action", action));
		if (!strcmp(action, "dropped"))
			json_array_append_new(dstreams, json_pack("{s:i, s:s, s:s}", "index", (int)i, "type",
								  type, "codec", codec));
		e = NULL;
		while ((e = av_dict_get(st->metadata, "", e, AV_DICT_IGNORE_SUFFIX)))
			json_array_append_new(dtags, json_pack("{s:s, s:i, s:o}", "scope", "stream", "stream",
							       (int)i, "key", ob_json_bytes(e->key)));
	}
	/* A photo's metadata segments and chunks, by name: none is carried. */
	for (size_t i = 0; v->photo && i < v->photo->n_items; i++)
		json_array_append_new(dtags, json_pack("{s:s, s:o}", "scope", "image", "key",
						       ob_json_bytes(v->photo->items[i])));
	data = json_pack("{s:o, s:I, s:s, s:s, s:o, s:i, s:i, s:i, s:O, s:O, s:O, s:O, s:i}",
			 "path", ob_json_bytes(path), "size", (json_int_t)size, "sha256", hex, "format",
			 fmt->iformat ? fmt->iformat->name : "unknown",
			 "duration", v->duration >= 0 ? json_real(v->duration) : json_null(),
			 "rotation", v->rotation, "width", v->width, "height", v->height,
			 "streams", streams, "dropped_streams", dstreams, "dropped_tags", dtags,
			 "kept_tags", ktags, "chapters_dropped", (int)fmt->nb_chapters);
	if (data && (v->pad_right || v->pad_bottom) &&
	    json_object_set_new(data, "padded", json_pack("{s:i, s:i}", "right", v->pad_right, "bottom",
							     v->pad_bottom))) {
		json_decref(data);
		data = NULL;
	}
	if (data && json_object_set_new(data, "media", json_string(v->still ? "image" : "video"))) {
		json_decref(data);
		data = NULL;
	}
	if (data && v->photo &&
	    json_object_set_new(data, "image", json_pack("{s:s, s:i, s:b, s:I}", "format", ob_photo_name(v->still),
							  "orientation", v->photo->orientation, "mirrored", v->mirrored,
							  "metadata_unlisted", (json_int_t)v->photo->n_more))) {
		json_decref(data);
		data = NULL;
	}
	ret = ob_manifest_append_new(a->m, "input", data);
out:
	json_decref(streams);
	json_decref(dstreams);
	json_decref(dtags);
	json_decref(ktags);
	return ret;
}

static int model_event(struct ob_audit *a, const char *role, const char *dir, const char *name)
{
	struct ob_model_card *card;
	char hex[OB_SHA256_HEX_LEN + 1], chex[OB_SHA256_HEX_LEN + 1];
	uint64_t size, csize;
	int ret;

	if (!name[0])
		return 0;
	card = malloc(sizeof(*card));
	if (!card)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	/* the card the detector runs: for a family, the variant the input's frames pick */
	ret = ob_model_pick(dir, name, a->width, a->height, card);
	if (!ret)
		ret = ob_sha256_file_hex(card->onnx_path, OB_MODEL_MAX_FILE, hex, &size);
	if (!ret)
		ret = ob_sha256_file_hex(card->card_path, OB_CARD_MAX_BYTES, chex, &csize);
	if (!ret && a->facts.n_models < OB_AUDIT_MAX_MODELS) {
		size_t k = a->facts.n_models++;

		snprintf(a->facts.models[k].name, sizeof(a->facts.models[k].name), "%s", card->name);
		snprintf(a->facts.models[k].sha256, sizeof(a->facts.models[k].sha256), "%s", hex);
	}
	if (!ret) {
		ret = ob_manifest_append_new(a->m, "model",
			json_pack("{s:s, s:s, s:s, s:o, s:I, s:s, s:s, s:s, s:o}", "role", role, "name",
				  card->name, "task", card->task, "file", ob_json_bytes(ob_path_base(card->onnx_path)),
				  "size", (json_int_t)size, "sha256", hex,
				  "card_sha256", chex, "licence", card->licence, "source",
				  ob_json_bytes(card->source)));
	}
	free(card);
	return ret;
}

int ob_audit_models(struct ob_audit *a, const struct ob_recipe *r)
{
	const char *dir = ob_model_dir(NULL, r->detect.models);
	int ret;

	if ((ret = model_event(a, "faces", dir, r->detect.faces)) ||
	    (ret = model_event(a, "people", dir, r->detect.people)) ||
	    (ret = model_event(a, "text", dir, r->detect.text)))
		return ret;
	return 0;
}

int ob_audit_checkpoint(void *audit, int64_t first, int64_t last, const char *sha256_hex)
{
	struct ob_audit *a = audit;

	return ob_manifest_append_new(a->m, "checkpoint",
				      json_pack("{s:I, s:I, s:I, s:s}", "first", (json_int_t)first, "last",
						(json_int_t)last, "frames", (json_int_t)(last - first + 1),
						"sha256", sha256_hex));
}

int ob_audit_redaction(struct ob_audit *a, const char *reason, json_t *data)
{
	if (!data)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	if (json_object_set_new(data, "reason", json_string(reason))) {
		json_decref(data);
		return ob_err(OB_ERR_NOMEM, "out of memory");
	}
	return ob_manifest_append_new(a->m, "redaction", data);
}

int ob_audit_replay(struct ob_audit *a, const char *path, json_t *data)
{
	char hex[OB_SHA256_HEX_LEN + 1];
	uint64_t size;
	int ret = ob_sha256_file_hex(path, OB_HASH_FILE_MAX, hex, &size);

	if (ret || !data || json_object_set_new(data, "path", ob_json_bytes(path)) ||
	    json_object_set_new(data, "size", json_integer((json_int_t)size)) ||
	    json_object_set_new(data, "sha256", json_string(hex))) {
		json_decref(data);
		return ret ? ret : ob_err(OB_ERR_NOMEM, "out of memory");
	}
	return ob_manifest_append_new(a->m, "replay", data);
}

const struct ob_audit_facts *ob_audit_facts(const struct ob_audit *a)
{
	return &a->facts;
}

int ob_audit_warning(struct ob_audit *a, const char *kind, const char *message, json_t *extra)
{
	json_t *data = json_pack("{s:s, s:o}", "kind", kind, "message", ob_json_bytes(message));

	if (data && extra)
		json_object_update(data, extra);
	json_decref(extra);
	return ob_manifest_append_new(a->m, "warning", data);
}

/* The SHA-256 of a buffer in hex. */
static int hex_of(const void *data, size_t len, char hex[OB_SHA256_HEX_LEN + 1])
{
	unsigned char sha[OB_SHA256_LEN];
	int ret = ob_sha256(data, len, sha);

	if (!ret)
		ob_hex_encode(sha, sizeof(sha), hex);
	return ret;
}

static int output_event(struct ob_audit *a, const char *name, uint64_t size, const char *hex)
{
	return ob_manifest_append_new(a->m, "output", json_pack("{s:o, s:I, s:s}", "name",
								 ob_json_bytes(name), "size",
								 (json_int_t)size, "sha256", hex));
}

/* The data members' lines of README.txt ("  NAME   what it is\n" each). */
static char *member_lines(const struct ob_audit_file *files, size_t n)
{
	char *s = NULL;

	for (size_t i = 0; i < n; i++) {
		char *t = NULL;

		if (asprintf(&t, "%s  %-24s %s\n", s ? s : "", files[i].name, files[i].what) < 0) {
			free(s);
			return NULL;
		}
		free(s);
		s = t;
	}
	return s ? s : strdup("");
}

/* README.txt: how a recipient checks the bundle with standard tools alone. */
static char *readme_text(const struct ob_audit *a, const struct ob_audit_file *files, size_t nfiles,
			 const char *keyid)
{
	char *s = NULL, *members = member_lines(files, nfiles);
	const char *bundle = ob_path_base(a->p.bundle);
	int n;

	if (!members)
		return NULL;
	if (keyid)
		n = asprintf(&s,
"This bundle was written by Obscura %s (job %s).\n"
"\n"
"%s"
"  %-24s the audit manifest: what went in, what was done, what came out\n"
"  %-24s (hash-chained JSON Lines; see obscura-manifest(5))\n"
"  %-24s its Ed25519 signature, in minisign's format\n"
"  %-24s the public key that made the signature (key id %s)\n"
"  %-24s the SHA-256 of the other members\n"
"\n"
"To verify it by hand, with standard tools and without Obscura:\n"
"\n"
"  1. tar xf %s\n"
"  2. minisign -Vm manifest.jsonl -p signer.pub\n"
"     signer.pub travels with the bundle, so anyone could have made one:\n"
"     the check proves who signed only if key id %s (first line of\n"
"     signer.pub) is the one the sender gave you out of band (in person,\n"
"     by phone, on paper).  Better, use the public key file you received\n"
"     that way:  minisign -Vm manifest.jsonl -p THEIR-KEY.pub\n"
"  3. sha256sum -c SHA256SUMS\n"
"     SHA256SUMS itself is covered by the signed manifest: its SHA-256 is\n"
"     in the \"output\" event named \"SHA256SUMS\" (grep SHA256SUMS manifest.jsonl;\n"
"     sha256sum SHA256SUMS).\n"
"\n"
"With Obscura:  obscura verify -p THEIR-KEY.pub %s\n",
			     OB_VERSION, a->job, members, OB_BUNDLE_MANIFEST, "", OB_BUNDLE_SIGNATURE,
			     OB_BUNDLE_PUBKEY, keyid, OB_AUDIT_SUMS, bundle, keyid, bundle);
	else
		n = asprintf(&s,
"This bundle was written by Obscura %s (job %s).\n"
"\n"
"It is NOT SIGNED: it was made with --unsigned.  Its checksums show that the\n"
"members agree with each other, not who made them.\n"
"\n"
"%s"
"  %-24s the audit manifest (hash-chained JSON Lines; see obscura-manifest(5))\n"
"  %-24s the SHA-256 of the other members\n"
"\n"
"To check it by hand:  tar xf %s; sha256sum -c SHA256SUMS\n"
"(SHA256SUMS is listed in manifest.jsonl's \"output\" events.)\n",
			     OB_VERSION, a->job, members, OB_BUNDLE_MANIFEST, OB_AUDIT_SUMS, bundle);
	free(members);
	return n < 0 ? NULL : s;
}

static int sums_line(char **sums, size_t *len, const char *hex, const char *name)
{
	char *s = NULL;
	int n = asprintf(&s, "%s%s  %s\n", *sums ? *sums : "", hex, name);

	if (n < 0)
		return ob_err(OB_ERR_NOMEM, "out of memory");
	free(*sums);
	*sums = s;
	*len = (size_t)n;
	return 0;
}

int ob_audit_finish(struct ob_audit *a, const struct ob_audit_file *files, size_t nfiles, json_t *counts)
{
	char fhex[OB_AUDIT_MAX_FILES][OB_SHA256_HEX_LEN + 1];
	char mnames[OB_AUDIT_MAX_FILES][OB_BUNDLE_NAME_MAX + 1];
	struct ob_audit_file mfiles[OB_AUDIT_MAX_FILES];
	uint64_t fsize[OB_AUDIT_MAX_FILES];
	char rhex[OB_SHA256_HEX_LEN + 1], phex[OB_SHA256_HEX_LEN + 1];
	char shex[OB_SHA256_HEX_LEN + 1], kid[OB_MINISIGN_KEYID_LEN + 1];
	char tc[OB_MINISIGN_TRUSTED_MAX + 1];
	char *readme = NULL, *pubtext = NULL, *sums = NULL, *sig = NULL;
	size_t publen = 0, sumslen = 0, siglen = 0;
	struct ob_bundle_writer *w = NULL;
	json_t *end = NULL;
	int ret = 0;

	if (nfiles > OB_AUDIT_MAX_FILES) {
		ret = ob_err(OB_ERR_INTERNAL, "too many bundle members");
		goto out;
	}
	/* From here on, files are known by their member names (bundle.h). */
	for (size_t i = 0; i < nfiles && !ret; i++) {
		ret = ob_bundle_member_name(files[i].name, mnames[i]);
		mfiles[i] = files[i];
		mfiles[i].name = mnames[i];
	}
	if (ret)
		goto out;
	files = mfiles;
	for (size_t i = 0; i < nfiles && !ret; i++)
		ret = ob_sha256_file_hex(files[i].path, OB_HASH_FILE_MAX, fhex[i], &fsize[i]);
	if (ret)
		goto out;
	if (a->p.key) {
		struct ob_minisign_pub pub;

		ob_minisign_key_public(a->p.key, &pub);
		ob_minisign_keyid_hex(pub.keynum, kid);
		ret = ob_minisign_public_text(&pub, &pubtext, &publen);
		if (!ret)
			ret = hex_of(pubtext, publen, phex);
		if (ret)
			goto out;
	}
	readme = readme_text(a, files, nfiles, a->p.key ? kid : NULL);
	if (!readme) {
		ret = ob_err(OB_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nfiles && !ret; i++)
		ret = sums_line(&sums, &sumslen, fhex[i], files[i].name);
	if (ret || (ret = hex_of(readme, strlen(readme), rhex)) ||
	    (ret = sums_line(&sums, &sumslen, rhex, OB_AUDIT_README)) ||
	    (pubtext && (ret = sums_line(&sums, &sumslen, phex, OB_BUNDLE_PUBKEY))) ||
	    (ret = hex_of(sums, sumslen, shex)))
		goto out;
	for (size_t i = 0; i < nfiles && !ret; i++)
		ret = output_event(a, files[i].name, fsize[i], fhex[i]);
	if (ret || (ret = output_event(a, OB_AUDIT_README, strlen(readme), rhex)) ||
	    (pubtext && (ret = output_event(a, OB_BUNDLE_PUBKEY, publen, phex))) ||
	    (ret = output_event(a, OB_AUDIT_SUMS, sumslen, shex)))
		goto out;
	end = json_pack("{s:s}", "status", "ok");
	if (end && counts)
		json_object_update(end, counts);
	ret = ob_manifest_append_new(a->m, "end", end);
	if (ret)
		goto out;
	ret = ob_manifest_close(a->m);
	if (ret)
		goto out;
	a->manifest_closed = true;
	snprintf(a->head, sizeof(a->head), "%s", ob_manifest_head(a->m));
	if (a->p.key) {
		ret = ob_trusted_comment(tc, sizeof(tc), (long long)time(NULL), a->job, a->head);
		if (!ret)
			ret = ob_minisign_sign_file(a->p.key, a->p.manifest, NULL, tc, &sig, &siglen);
		if (ret)
			goto out;
	}
	if ((ret = ob_bundle_create(a->p.bundle, &w)))
		goto out;
	for (size_t i = 0; i < nfiles && !ret; i++)
		ret = ob_bundle_add_file(w, files[i].name, files[i].path);
	if (ret || (ret = ob_bundle_add_buffer(w, OB_AUDIT_SUMS, sums, sumslen)) ||
	    (ret = ob_bundle_add_buffer(w, OB_AUDIT_README, readme, strlen(readme))) ||
	    (pubtext && (ret = ob_bundle_add_buffer(w, OB_BUNDLE_PUBKEY, pubtext, publen))) ||
	    (ret = ob_bundle_add_file(w, OB_BUNDLE_MANIFEST, a->p.manifest)) ||
	    (sig && (ret = ob_bundle_add_buffer(w, OB_BUNDLE_SIGNATURE, sig, siglen))))
		goto out;
	ret = ob_bundle_commit(w);
	if (!ret)
		a->bundle_committed = true;
out:
	json_decref(counts);
	ob_bundle_writer_free(&w);
	free(readme);
	free(pubtext);
	free(sums);
	free(sig);
	return ret;
}

void ob_audit_keep(struct ob_audit *a)
{
	a->keep = true;
}

const char *ob_audit_job_id(const struct ob_audit *a)
{
	return a->job;
}

const char *ob_audit_head(const struct ob_audit *a)
{
	return a->head;
}

void ob_audit_free(struct ob_audit **ap)
{
	struct ob_audit *a;

	if (!ap || !*ap)
		return;
	a = *ap;
	ob_manifest_free(&a->m); /* removes its temporary file if not closed */
	if (a->manifest_closed)
		unlink(a->p.manifest);
	if (a->bundle_committed && !a->keep)
		unlink(a->p.bundle);
	free(a);
	*ap = NULL;
}
