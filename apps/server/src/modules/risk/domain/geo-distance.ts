/** Great-circle distance in kilometres between two points given in degrees (haversine). */
export function distanceKm(
  latitudeA: number,
  longitudeA: number,
  latitudeB: number,
  longitudeB: number,
): number {
  const radians = Math.PI / 180;
  const dLatitude = (latitudeB - latitudeA) * radians;
  const dLongitude = (longitudeB - longitudeA) * radians;
  const h =
    Math.sin(dLatitude / 2) ** 2 +
    Math.cos(latitudeA * radians) * Math.cos(latitudeB * radians) * Math.sin(dLongitude / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A coarse grid cell (about 50 km) that names "a place the user has been". */
export function locationCell(latitude: number, longitude: number): string {
  return `${Math.round(latitude * 2)}:${Math.round(longitude * 2)}`;
}
