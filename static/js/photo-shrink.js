// Photos are shrunk on the phone before they are sent or kept offline: the longest side to the server's
// own setting (INTAKE_PHOTO_MAX_PIXELS, given by the page), re-encoded as JPEG. A full-size phone photo
// (5–30 MB) becomes a few hundred kB: quicker on a poor network, and never over the upload limit.
const QUALITY = 0.85;
const SMALL_ENOUGH = 1024 * 1024; // a photo already within the size and this light is sent as it is

export async function shrinkPhoto(file, maxPixels) {
  if (!file || !(maxPixels > 0) || !file.type.startsWith("image/")) return file;
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch (undecodable) {
    return file; // the server says what it makes of it
  }
  const scale = Math.min(1, maxPixels / Math.max(bitmap.width, bitmap.height));
  if (scale === 1 && file.size <= SMALL_ENOUGH) {
    bitmap.close();
    return file;
  }
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
  if (!blob || blob.size >= file.size) return file;
  return new File([blob], `${file.name.replace(/\.[^.]*$/, "") || "photo"}.jpg`,
                  { type: "image/jpeg", lastModified: file.lastModified });
}

// Shrink the photo chosen in `input` in place, so that the form sends the small one. Returns a function
// giving the promise of the shrinking under way: a submission waits for it.
export function shrinkWhenChosen(input, maxPixels) {
  let pending = Promise.resolve();
  input?.addEventListener("change", () => {
    const chosen = input.files[0];
    pending = shrinkPhoto(chosen, maxPixels).then((small) => {
      if (small === chosen || input.files[0] !== chosen) return;
      const files = new DataTransfer();
      files.items.add(small);
      input.files = files.files;
    });
  });
  return () => pending;
}
